"""Record fixtures: the sample record rendered once and sealed once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bwvdisclose.record.pdf import Attachment, render_pdf
from bwvdisclose.record.seal import seal_pdf
from tests.conftest import KeyFiles

SAMPLE_DIR = Path(__file__).parent.parent / "data" / "record"
TITLE = "Decision record BWV-2026-0042"


@pytest.fixture(scope="session")
def sample_html() -> str:
    return (SAMPLE_DIR / "sample.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def attachments() -> list[Attachment]:
    events = [{"seq": i, "kind": "answer", "q": f"Q{i}", "value": i % 2 == 0} for i in range(400)]
    log = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events).encode()
    return [
        Attachment("case.jsonl", log, "application/jsonl", "Case log, one event a line"),
        Attachment("policy.yaml", b"id: met-bwv-2020\nversion: 3\n", "application/yaml", "Policy"),
        Attachment("raw.bin", bytes(range(256)) * 8, "application/octet-stream", "Binary"),
    ]


@pytest.fixture(scope="session")
def rendered(sample_html: str, attachments: list[Attachment]) -> bytes:
    return render_pdf(sample_html, SAMPLE_DIR, attachments, TITLE)


@pytest.fixture(scope="session")
def sealed(rendered: bytes, key_files: KeyFiles) -> bytes:
    return seal_pdf(
        rendered, key_files.p12, key_files.passphrase,
        reason="Decision record BWV-2026-0042", location="London", name="Jane Smith",
    )  # fmt: skip


@pytest.fixture(scope="session")
def sealed_file(sealed: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sealed") / "record.pdf"
    path.write_bytes(sealed)
    return path
