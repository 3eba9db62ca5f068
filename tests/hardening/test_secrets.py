"""Secrets and personal data: passphrases, private keys, file modes, and what a record shows.

A whole case is run through the CLI with a distinctive passphrase (keys, sign-offs, the
record), plus a wrong passphrase at a prompt and in the environment. The passphrases must
appear in no argument, output, error, log record, case file or PDF; no private key is
ever written unencrypted; case and key files are private. User text with HTML, CSS,
URLs, template syntax and control characters reads literally in the record, and
rendering the record template touches no network.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
import stat
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from bwvdisclose.case import Actor, AnswerRecorded, CaseOpened, fold
from bwvdisclose.case.events import build_event, event_line
from bwvdisclose.case.verify import Head
from bwvdisclose.cli.main import cli
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.load import resolve_policy_folder
from bwvdisclose.policy.models import PolicyRef
from bwvdisclose.record.build import attachments_for, record_html
from bwvdisclose.record.html import templates_dir
from bwvdisclose.record.pdf import render_pdf
from bwvdisclose.store.folder import FolderStore
from tests.conftest import DEMO_CA
from tests.flow.conftest import DEMO, INTAKE, publish_options

from .conftest import assert_refused, run

SECRET = "Zebra-Passphrase-7731!"
WRONG = "Quokka-Wrong-Guess-9913"
PEOPLE = [("Amy Ward", "decision_maker", "4711"), ("Sam Okafor", "legal", "L220"),
          ("Priya Shah", "data_protection", "D17")]  # fmt: skip


@dataclass
class Flow:
    folder: Path
    outputs: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    @property
    def store(self) -> Path:
        return self.folder / "store"

    @property
    def keys(self) -> Path:
        return self.folder / "keys"

    @property
    def pdf(self) -> Path:
        return self.folder / "out" / "record.pdf"

    @property
    def ca(self) -> Path:
        return self.folder / "ca"

    def run(self, *args: str, env: dict[str, str | None] | None = None, **kw: str) -> str:
        trust = f"{self.ca / 'ca.pem'}{os.pathsep}{DEMO_CA}"
        base = {"SECRET_PP": SECRET, "BWVDISCLOSE_TRUST": trust}
        result = run(*args, env={**base, **(env or {})}, **kw)
        self.outputs += [" ".join(args), result.stdout, result.stderr]
        return result.stderr


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage() + repr(record.args) + str(record.exc_info))


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    """Keys, a case, decision, three sign-offs and the record, all through the CLI."""
    done = Flow(tmp_path_factory.mktemp("secrets"))
    (done.folder / "out").mkdir()
    root, handler = logging.getLogger(), _Collect(done.logs)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        assert not done.run("keys", "ca", str(done.ca), "--passphrase-env", "SECRET_PP")
        for name, role, number in PEOPLE:
            done.run("keys", "create", "--name", name, "--role", role, "--number", number,
                     "--ca", str(done.ca), "--ca-passphrase-env", "SECRET_PP",
                     "--out", str(done.keys), "--passphrase-env", "SECRET_PP")  # fmt: skip
        case_id = _new_case(done)
        publishing = publish_options("publish_with_redactions")
        done.run("decide", case_id, "--outcome", "publish_with_redactions", *publishing,
                 "--store", str(done.store))  # fmt: skip
        wrong = done.run(*_sign(done, case_id, "amy-ward", "decision_maker"),
                         env={"SECRET_PP": WRONG})  # fmt: skip
        assert "wrong passphrase" in wrong
        prompt = run(*_sign(done, case_id, "amy-ward", "decision_maker")[:-2], input=f"{WRONG}\n")
        done.outputs += [prompt.stdout, prompt.stderr]
        assert "wrong passphrase" in prompt.stderr
        for who, role in [("amy-ward", "decision_maker"), ("sam-okafor", "legal"),
                          ("priya-shah", "data_protection")]:  # fmt: skip
            assert not done.run(*_sign(done, case_id, who, role))
        assert not done.run("record", case_id, "--key", str(done.keys / "amy-ward.p12"),
                            "--passphrase-env", "SECRET_PP", "--out", str(done.pdf),
                            "--store", str(done.store))  # fmt: skip
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    yield done


def _new_case(done: Flow) -> str:
    result = run("new", *INTAKE, "--answers", str(DEMO), "--store", str(done.store))
    done.outputs += [result.stdout, result.stderr]
    return result.stdout.strip()


def _sign(done: Flow, case_id: str, who: str, role: str) -> list[str]:
    return ["sign", case_id, "--role", role, "--key", str(done.keys / f"{who}.p12"),
            "--store", str(done.store), "--passphrase-env", "SECRET_PP"]  # fmt: skip


def _files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]


def _pdf_streams(data: bytes) -> Iterator[bytes]:
    """Every stream of a PDF, inflated where it is compressed."""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1)
        try:
            yield zlib.decompressobj().decompress(raw)
        except zlib.error:
            yield raw


def _encodings(text: str) -> list[bytes]:
    return [text.encode(), text.encode("utf-16-be"), text.encode("utf-16-le")]


# --- passphrases ----------------------------------------------------------------------


def _options(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Parameter]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _options(command, f"{prefix}{name} ")
        for param in command.params:
            yield f"{prefix}{name}", param


def test_no_command_takes_a_secret_as_an_argument() -> None:
    for command, param in _options(cli):
        words = " ".join(getattr(param, "opts", []))
        for secret in ("passphrase", "password", "pin", "secret"):
            if secret in words:  # only ever the name of an environment variable
                assert param.name and param.name.endswith("_env"), (command, words)


@pytest.mark.parametrize(
    "args",
    [
        ["sign", "BWV-2026-0001", "--role", "legal", "--key", "k.p12", "--passphrase", SECRET],
        ["record", "BWV-2026-0001", "--key", "k.p12", "--passphrase", SECRET],
        ["keys", "create", "--name", "A", "--role", "legal", "--out", "k", "--passphrase", SECRET],
        ["sign", "BWV-2026-0001", "--role", "legal", "--key", "k.p12", f"--passphrase={SECRET}"],
    ],
)
def test_a_passphrase_option_is_refused_without_repeating_it(args: list[str]) -> None:
    result = run(*args)
    assert_refused(result, 2, "No such option")
    assert SECRET not in result.stdout + result.stderr


def test_passphrases_appear_in_no_output_log_file_or_record(flow: Flow) -> None:
    texts = "\n".join(flow.outputs + flow.logs)
    assert flow.logs  # the capture worked (pyHanko and WeasyPrint do log)
    for secret in (SECRET, WRONG):
        assert secret not in texts
    blobs = [p.read_bytes() for p in _files(flow.store, flow.keys, flow.ca, flow.pdf.parent)]
    blobs += list(_pdf_streams(flow.pdf.read_bytes()))
    text = subprocess.run(["pdftotext", str(flow.pdf), "-"], capture_output=True, check=True)
    blobs.append(text.stdout)
    for secret in (SECRET, WRONG):
        for encoded in _encodings(secret):
            assert not any(encoded in blob for blob in blobs), secret


def test_private_keys_are_only_ever_written_encrypted(flow: Flow) -> None:
    written = _files(flow.store, flow.keys, flow.ca, flow.pdf.parent)
    assert len(written) >= 12
    for path in written:
        data = path.read_bytes()
        assert b"PRIVATE KEY" not in data, path
        for stream in _pdf_streams(data) if path.suffix == ".pdf" else ():
            assert b"PRIVATE KEY" not in stream, path
    for p12 in flow.keys.glob("*.p12"):
        with pytest.raises(ValueError):
            pkcs12.load_key_and_certificates(p12.read_bytes(), None)
        with pytest.raises(ValueError):
            pkcs12.load_key_and_certificates(p12.read_bytes(), WRONG.encode())


def test_case_and_key_files_are_private(flow: Flow) -> None:
    checked = 0
    for top in (flow.store, flow.keys):
        for path in [top, *top.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
            checked += 1
    assert stat.S_IMODE(flow.pdf.stat().st_mode) == 0o600
    assert checked >= 12


# --- what the record shows ----------------------------------------------------------------


HOSTILE = {
    "html": '<img src="http://127.0.0.1:{port}/img.png" onerror="alert(1)">',
    "css": "<style>@import url(http://127.0.0.1:{port}/a.css); body{{display:none}}</style>",
    "link": '<link rel="stylesheet" href="http://127.0.0.1:{port}/b.css">',
    "url": "url(http://127.0.0.1:{port}/c.png) file:///etc/passwd",
    "template": "{{{{ 7*7 }}}} {{% if true %}}jinja{{% endif %}}",
    "markup": "</td></tr></table><h1>FORGED</h1>&amp; &lt;",
}
HIDDEN = "bell\x07 escape\x1b[31m nul\x00 override\u202eevil\u202c end"


def _hostile_case(root: Path, port: int) -> tuple[FolderStore, str]:
    """A case whose every free-text field is hostile, written as an old log might hold it
    (the store refuses control characters now, so the lines are written here directly)."""
    texts = {k: v.format(port=port) for k, v in HOSTILE.items()}
    joined = " ".join(texts.values())
    policy = load_policy()
    who = Actor(name=f"PC {texts['html']}", role=texts["markup"], number="1")
    bodies = [
        CaseOpened(
            case_id="BWV-2026-0001", incident_ref=texts["template"], location=joined,
            occurred=dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC), clips=[texts["link"]],
            policy=PolicyRef.of(policy), notes=f"{joined} {HIDDEN}",
        ),
        AnswerRecorded(question="force.shown", value=True, rationale=f"{texts['css']} {HIDDEN}"),
        AnswerRecorded(question="media.viral", value=False, rationale=texts["url"]),
    ]  # fmt: skip
    folder = root / "BWV-2026-0001"
    folder.mkdir(parents=True)
    prev, at = "0" * 64, dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
    with (folder / "events.jsonl").open("wb") as fh:
        for seq, body in enumerate(bodies, 1):
            event = build_event(seq, at + dt.timedelta(seconds=seq), who, prev, body)
            fh.write(event_line(event))
            prev = event.hash
    (folder / "HEAD").write_bytes(Head(seq=len(bodies), hash=prev).to_bytes())
    return FolderStore(root), "BWV-2026-0001"


def test_user_text_reads_literally_and_rendering_touches_no_network(
    tmp_path: Path, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    store, case_id = _hostile_case(tmp_path / "store", port)
    events = store.read(case_id)
    state, policy = fold(events), load_policy()
    attachments = attachments_for(b"{}\n", resolve_policy_folder(None))
    html = record_html(state, events, policy, attachments, dt.datetime.now(dt.UTC))

    body = html.split("<body", 1)[1]
    assert f"http://127.0.0.1:{port}" in body  # the text is there...
    for raw in ("<img", "<style>@import", "<link rel", "<h1>FORGED", 'onerror="'):
        assert raw not in body.replace("&lt;img", "").replace("&lt;h1&gt;FORGED", ""), raw
    assert "&lt;img src=&#34;http://127.0.0.1" in body  # ...escaped, never markup
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;FORGED" in body
    assert "{{ 7*7 }} {% if true %}jinja{% endif %}" in body  # not evaluated: no 49
    assert "&amp;amp; &amp;lt;" in body
    for char in ("\x00", "\x07", "\x1b", "\u202e", "\u202c"):
        assert char not in html
    assert "bell[U+0007] escape[U+001B][31m nul[U+0000] override[U+202E]evil[U+202C] end" in body

    pdf = render_pdf(html, templates_dir(), attachments, "hostile")
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing ever connected
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    flat = re.sub(r"\s+", "", text.stdout.decode())
    assert re.sub(r"\s+", "", f'<img src="http://127.0.0.1:{port}/img.png"') in flat
    assert "override[U+202E]evil[U+202C]end" in flat


def test_the_renderer_has_no_network_even_if_a_template_asks(
    tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An override template that links to the network stops the render; nothing connects."""
    port = listener.getsockname()[1]
    override = tmp_path / "templates"
    override.mkdir()
    source = (templates_dir() / "record.html.j2").read_text()
    sneaky = f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">\n</head>'
    (override / "record.html.j2").write_text(source.replace("</head>", sneaky, 1))
    monkeypatch.setenv("BWVDISCLOSE_TEMPLATES", str(override))
    store, case_id = _hostile_case(tmp_path / "store", port)
    events = store.read(case_id)
    attachments = attachments_for(b"{}\n", resolve_policy_folder(None))
    html = record_html(fold(events), events, load_policy(), attachments, dt.datetime.now(dt.UTC))
    assert f'href="http://127.0.0.1:{port}/x.css"' in html
    from bwvdisclose.errors import RecordError

    with pytest.raises(RecordError, match="refused to fetch http URL"):
        render_pdf(html, templates_dir(), attachments, "sneaky")
    with pytest.raises(TimeoutError):
        listener.accept()
