"""An insider with write access to the store (issue 9's findings), and how each is caught.

Each test first does what the issue found passing unseen, then shows it caught: a case
rewritten with a consistent chain and HEAD; the store-wide log rewritten to match (caught
by a checkpoint kept earlier); a case folder deleted; the newest case deleted (its ID is
never issued again); a record file added or replaced; escape sequences written into a
log (shown as [U+001B], never sent to the terminal).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bwvdisclose.answers import load_answers
from bwvdisclose.case import Actor
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.errors import CaseError
from bwvdisclose.policy import load_policy
from bwvdisclose.store.folder import FolderStore
from tests.flow.conftest import DEMO, PASS, Keys, Signed
from tests.store.insider import rewrite_case

from .conftest import run

OFFICER = Actor(name="PC Jane Smith", role="duty officer", number="PC1234")
ESC = "\x1b]0;owned\x07\x1b[2J"


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    """Two answered cases, written through the workflow."""
    import datetime as dt

    policy = load_policy(None)
    store = FolderStore(tmp_path / "store")
    cases = Cases(store, policy)
    when = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)
    for ref in ("CAD 1/20NOV26", "CAD 2/20NOV26"):
        case_id = cases.open(OFFICER, Intake(ref, when, "Whitehall", ["c1"]))
        cases.apply(case_id, OFFICER, load_answers(DEMO, policy), None)
    return store


def _verify(store: FolderStore, *extra: str) -> tuple[int, str]:
    result = run("audit", "verify", "--store", str(store.root), *extra)
    return result.exit_code, result.stdout + result.stderr


def _change_first_answer(events: list[dict]) -> list[dict]:
    for e in events:
        if e["type"] == "answer_recorded" and isinstance(e["value"], bool):
            e["value"] = not e["value"]
            break
    return events


def test_a_rewritten_case_fails_verify_and_audit_verify(store: FolderStore) -> None:
    case_id = store.list_ids()[0]
    rewrite_case(store, case_id, _change_first_answer, log_too=False)
    assert store.verify(case_id).ok  # chain and HEAD are consistent: the old checks pass
    result = run("verify", case_id, "--store", str(store.root))
    assert result.exit_code == 1 and "the case was rewritten" in result.stderr, result.stderr
    code, out = _verify(store)
    assert code == 1 and f"FAILED {case_id}: event" in out and "rewritten" in out, out


def test_a_truncated_case_fails_audit_verify(store: FolderStore) -> None:
    case_id = store.list_ids()[1]
    rewrite_case(store, case_id, lambda ev: ev[:-1], log_too=False)
    code, out = _verify(store)
    assert code == 1 and f"FAILED {case_id}:" in out and "events were removed" in out, out


def test_a_log_rewritten_to_match_is_caught_by_an_earlier_checkpoint(
    store: FolderStore, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    assert run("audit", "keygen", "--name", "test-store", "--out", str(keys / "k")).exit_code == 0
    made = run("audit", "checkpoint", "--store", str(store.root), "--key", str(keys / "k"))
    assert made.exit_code == 0, made.stderr
    (tmp_path / "cp").write_text(made.stdout)
    with_cp = ("--checkpoint", str(tmp_path / "cp"), "--verifier", str(keys / "k.pub"))
    assert _verify(store, *with_cp)[0] == 0
    case_id = store.list_ids()[0]
    rewrite_case(store, case_id, _change_first_answer, log_too=True)
    assert _verify(store)[0] == 0  # without a checkpoint, a full rewrite is not seen
    code, out = _verify(store, *with_cp)
    assert code == 1 and "does not extend the checkpoint" in out, out
    origin, size, rest = made.stdout.split("\n", 2)
    forged = f"{origin}\n{int(size) - 1}\n{rest}"  # the size changed: the signature breaks
    (tmp_path / "forged").write_text(forged)
    code, out = _verify(
        store, "--checkpoint", str(tmp_path / "forged"), "--verifier", str(keys / "k.pub")
    )
    assert code == 1 and "does not verify" in out, out


def test_the_store_key_must_be_kept_outside_the_store(store: FolderStore) -> None:
    assert run("audit", "keygen", "--name", "s", "--out", str(store.root / "k")).exit_code == 0
    result = run("audit", "checkpoint", "--store", str(store.root), "--key", str(store.root / "k"))
    assert result.exit_code == 1 and "outside the store folder" in result.stderr


def test_a_deleted_case_fails_and_the_newest_id_is_never_reissued(store: FolderStore) -> None:
    first, newest = store.list_ids()
    shutil.rmtree(store.case_dir(first))
    code, out = _verify(store)
    assert code == 1 and f"{first}: in the store-wide log" in out and "deleted" in out, out
    shutil.rmtree(store.case_dir(newest))
    result = run(
        "new", "--store", str(store.root), "--incident-ref", "X", "--occurred",
        "2026-11-21T10:00", "--location", "L", "--answers", str(DEMO),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() not in (first, newest)
    assert result.stdout.strip().endswith("-0003")


def test_a_case_added_outside_the_store_fails(store: FolderStore) -> None:
    first = store.list_ids()[0]
    copy = store.root / first.replace("-0001", "-0099")
    shutil.copytree(store.case_dir(first), copy)
    code, out = _verify(store)
    assert code == 1 and "-0099" in out, out


def test_record_files_no_event_names_fail_and_records_never_collide(store: FolderStore) -> None:
    case_id = store.list_ids()[0]
    from bwvdisclose.case import RecordRendered

    def build(events, name):  # type: ignore[no-untyped-def]
        return RecordRendered(file=name, sha256="0" * 64, size=0, head=events[-1].hash)

    first = store.file_record(
        case_id, OFFICER, b"%PDF-1.7 one", lambda ev, n: _rec(ev, n, b"%PDF-1.7 one")
    )
    # a file already at the name the next record would take is never replaced
    nxt = store.read(case_id)[-1].seq + 1
    import hashlib

    from bwvdisclose.store.base import record_file_name

    data = b"%PDF-1.7 two"
    squatted = record_file_name(case_id, nxt, hashlib.sha256(data).hexdigest())
    (store.case_dir(case_id) / "records" / squatted).write_bytes(b"planted")
    second = store.file_record(case_id, OFFICER, data, lambda ev, n: _rec(ev, n, data))
    assert second.name != squatted and second.name != first.name
    assert (store.case_dir(case_id) / "records" / squatted).read_bytes() == b"planted"
    code, out = _verify(store)
    assert code == 1 and f"record file {squatted}: no event of the case names it" in out, out


def _rec(events, name: str, data: bytes):  # type: ignore[no-untyped-def]
    import hashlib

    from bwvdisclose.case import RecordRendered

    return RecordRendered(
        file=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), head=events[-1].hash
    )


def _with_escapes(events: list[dict]) -> list[dict]:
    for e in events:
        if e["type"] == "answer_recorded":
            e["rationale"] = f"seen {ESC} on the clip"
        if e["type"] == "case_opened":
            e["location"] = f"Whitehall{ESC}\u202e"
            e["incident_ref"] = f"CAD 1{ESC}\u202e"
    return events


@pytest.mark.parametrize(
    "command",
    [
        ("show", "{case}"),
        ("show", "{case}", "--format", "json"),
        ("list",),
        ("list", "--format", "json"),
        ("audit", "list"),
        ("audit", "list", "--format", "csv"),
        ("audit", "list", "--format", "json"),
        ("audit", "verify"),
        ("verify", "{case}"),
    ],
)
def test_escape_sequences_in_a_log_never_reach_the_terminal(
    store: FolderStore, command: tuple[str, ...]
) -> None:
    case_id = store.list_ids()[0]
    rewrite_case(store, case_id, _with_escapes, log_too=True)
    args = [a.format(case=case_id) for a in command]
    result = run(*args, "--store", str(store.root))
    shown = result.stdout + result.stderr
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown, shown
    if "CAD 1" in shown or "seen " in shown:  # the text written into the log is shown
        assert "[U+001B]" in shown or "\\u001b" in shown, shown  # shown, or JSON-escaped
        assert "[U+202E]" in shown, shown
        if "json" in command:
            json.loads(result.stdout)  # still valid JSON


def test_a_stale_recommendation_blocks_sign_and_record(store: FolderStore, keys: Keys) -> None:
    """What a full disk did to the old code: an answer changed, its recommendation never
    recomputed. Now `sign` and `record` refuse until it is recomputed."""
    from bwvdisclose.case import AnswerChanged
    from bwvdisclose.record.build import check_ready
    from bwvdisclose.signing import load_identity
    from bwvdisclose.trust.paths import TrustChecker
    from tests.conftest import roots

    checker = TrustChecker(roots(*os.environ["BWVDISCLOSE_TRUST"].split(os.pathsep)))
    policy = load_policy(None)
    cases = Cases(store, policy)
    case_id = store.list_ids()[0]
    body = AnswerChanged(
        question="legal.iopc_status", value="referred", previous="none",
        rationale="IOPC referral", reason="referred this morning",
    )  # fmt: skip
    store.append(case_id, OFFICER, body)  # the answer alone, as the disk-full left it
    identity = load_identity(Path(keys.p12("amy-ward")), PASS.encode())
    with pytest.raises(CaseError, match="cannot be signed: its answers changed"):
        cases.sign(case_id, identity, "decision_maker", checker)
    with pytest.raises(CaseError, match="cannot be recorded"):
        check_ready(cases.state(case_id), policy, identity)
    cases.recompute(case_id, OFFICER)  # what `assess CASE` does: no longer stale
    with pytest.raises(CaseError, match="no current decision"):
        cases.sign(case_id, identity, "decision_maker", checker)


def test_escape_sequences_in_a_record_never_reach_the_terminal(
    signed: Signed, keys: Keys, tmp_path: Path
) -> None:
    """A record re-sealed by someone with the decision maker's key, whose embedded log
    (a consistent chain) names a signer with escape sequences: `verify FILE.pdf` shows
    them as [U+001B], and fails (the sign-off no longer verifies)."""
    from bwvdisclose.case.events import EVENT_ADAPTER, ZERO_HASH, event_hash, event_line
    from bwvdisclose.record.build import EVENTS_FILE, HEAD_KEYWORD, POLICY_FILE
    from bwvdisclose.record.verify import extract_attachments
    from bwvdisclose.signing import load_identity
    from tests.hardening.test_tamper import _forge

    real = extract_attachments(signed.pdf.read_bytes())
    prev, lines = ZERO_HASH, []
    for raw in real[EVENTS_FILE].splitlines():
        f = json.loads(raw)
        if f["type"] == "signoff_recorded":
            f["signer"]["name"] = f"Amy{ESC}\u202e Ward"
            f["head"] = prev
        f["prev"] = prev
        f["hash"] = prev = event_hash(f)
        lines.append(event_line(EVENT_ADAPTER.validate_python(f)))
    maker = load_identity(Path(keys.p12("amy-ward")), PASS.encode())
    files = {EVENTS_FILE: b"".join(lines), POLICY_FILE: real[POLICY_FILE]}
    path = tmp_path / "forged.pdf"
    path.write_bytes(_forge(maker, files, HEAD_KEYWORD + prev))
    result = run("verify", str(path))
    shown = result.stdout + result.stderr
    assert result.exit_code == 1, shown
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown, shown
    assert "Amy[U+001B]" in shown and "[U+202E] Ward" in shown, shown
