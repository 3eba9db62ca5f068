"""Footage fingerprints: new --clip-file, footage add, verify CASE --clip, and the record."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bwvdisclose.footage import CHUNK, FootageError, fingerprint
from tests.conftest import Invoke
from tests.flow.conftest import DEMO as FLOW_DEMO

DEMO = str(FLOW_DEMO)
ENV = {"BWVDISCLOSE_USER": "PC Jane Smith", "BWVDISCLOSE_NUMBER": "PC1234"}
INTAKE = ["--incident-ref", "CAD 1", "--occurred", "2026-11-20T14:30", "--location", "Whitehall"]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "BWV-22914-0001.mp4"
    path.write_bytes(bytes(range(256)) * (CHUNK // 256 * 2 + 7))  # more than two chunks
    return path


def test_fingerprint_streams_the_whole_file(clip: Path) -> None:
    seen: list[int] = []
    fp = fingerprint(clip, seen.append)
    data = clip.read_bytes()
    assert (fp.name, fp.size, fp.sha256) == (
        clip.name,
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert seen == sorted(seen) and seen[-1] == len(data) and len(seen) == 3


def test_fingerprint_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(FootageError, match="no such clip file"):
        fingerprint(tmp_path / "missing.mp4")
    with pytest.raises(FootageError, match=r"not a file \(a folder\); a clip file must be a file"):
        fingerprint(tmp_path)


def test_new_with_clip_file_then_verify_clip(invoke: Invoke, tmp_path: Path, clip: Path) -> None:
    store = tmp_path / "store"
    result = invoke(
        "new",
        *INTAKE,
        "--clip-file",
        str(clip),
        "--answers",
        DEMO,
        "--store",
        str(store),
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    case_id = result.stdout.strip()
    doc = json.loads(invoke("show", case_id, "--store", str(store), "--format", "json").stdout)
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    assert [(f["name"], f["sha256"]) for f in doc["footage"]] == [(clip.name, digest)]

    ok = invoke("verify", case_id, "--clip", str(clip), "--store", str(store))
    assert ok.exit_code == 0, ok.output
    assert f"{clip}: ok, the footage assessed in {case_id}" in ok.stdout

    other = tmp_path / "edited.mp4"
    other.write_bytes(clip.read_bytes()[:-1] + b"\x00")
    bad = invoke("verify", case_id, "--clip", str(other), "--store", str(store))
    assert bad.exit_code == 1
    assert f"{other}: NOT footage assessed in {case_id}" in bad.stdout
    assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1


def test_a_missing_clip_file_opens_no_case(invoke: Invoke, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = invoke(
        "new",
        *INTAKE,
        "--clip-file",
        str(tmp_path / "nope.mp4"),
        "--answers",
        DEMO,
        "--store",
        str(store),
        env=ENV,
    )
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.mp4'}: no such clip file\n"
    assert not list(store.glob("BWV-*"))


def test_footage_added_later_is_recorded_once(invoke: Invoke, tmp_path: Path, clip: Path) -> None:
    store = tmp_path / "store"
    case_id = invoke(
        "new", *INTAKE, "--answers", DEMO, "--store", str(store), env=ENV
    ).stdout.strip()
    first = invoke("footage", "add", case_id, str(clip), "--store", str(store), env=ENV)
    assert first.exit_code == 0, first.output
    assert f"{case_id}: recorded {clip.name}" in first.stdout
    again = invoke("footage", "add", case_id, str(clip), "--store", str(store), env=ENV)
    assert "1 file(s) already recorded, skipped" in again.stdout
    log = (store / case_id / "events.jsonl").read_text()
    assert log.count('"type":"footage_fingerprinted"') == 1
    assert invoke("verify", case_id, "--store", str(store)).exit_code == 0
