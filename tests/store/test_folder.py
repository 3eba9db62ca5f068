"""FolderStore with real files: IDs, permissions, appends, tamper detection, crashes, locks."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import stat
import time
from pathlib import Path

import pytest

from bwvdisclose.case.events import (
    ZERO_HASH,
    CaseOpenedEvent,
    build_event,
    canonical_json,
    event_line,
)
from bwvdisclose.case.payloads import AnswerRecorded
from bwvdisclose.case.verify import Verification
from bwvdisclose.errors import CaseError, IntegrityError, LockError
from bwvdisclose.store import files
from bwvdisclose.store import folder as store_module
from bwvdisclose.store.base import chain_events
from bwvdisclose.store.folder import FolderStore
from tests.case.conftest import (
    INSPECTOR,
    OFFICER,
    POLICY,
    START,
    Clock,
    answer,
    decision,
    open_case,
    opened,
    recommendation,
    record,
    signoff,
)


def log_of(store: FolderStore, case_id: str) -> Path:
    return store.case_dir(case_id) / "events.jsonl"


def head_of(store: FolderStore, case_id: str) -> dict[str, object]:
    return json.loads((store.case_dir(case_id) / "HEAD").read_bytes())


@pytest.fixture
def case(store: FolderStore) -> str:
    """A case of four events."""
    case_id = open_case(store)
    store.append(case_id, OFFICER, answer("footage.public_place", True, "A public street."))
    store.append(case_id, OFFICER, answer("people.children", "none"))
    store.append(case_id, INSPECTOR, recommendation())
    return case_id


# --- IDs and folders ------------------------------------------------------------------


def test_create_allocates_ids_by_year(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2024, 12, 31, 23, 59, 57, tzinfo=dt.UTC))
    store = FolderStore(tmp_path / "store", clock=clock)
    assert [open_case(store) for _ in range(2)] == ["BWV-2024-0001", "BWV-2024-0002"]
    assert open_case(store) == "BWV-2025-0001"
    (tmp_path / "store" / "BWV-2025-9999").mkdir()
    (tmp_path / "store" / "BWV-2026-0001").touch()  # not a folder: not a case
    assert open_case(store) == "BWV-2025-10000"
    assert store.list_ids() == [
        "BWV-2024-0001",
        "BWV-2024-0002",
        "BWV-2025-0001",
        "BWV-2025-9999",
        "BWV-2025-10000",
    ]


def test_create_writes_case_opened(store: FolderStore) -> None:
    case_id = open_case(store, notes="Complaint ref 99")
    [event] = store.read(case_id)
    assert isinstance(event, CaseOpenedEvent)
    assert (event.case_id, event.seq, event.prev, event.notes) == (
        case_id,
        1,
        ZERO_HASH,
        "Complaint ref 99",
    )
    assert event.actor == OFFICER
    assert head_of(store, case_id) == {"seq": 1, "hash": event.hash}


def test_create_with_bad_intake_burns_no_id(store: FolderStore) -> None:
    with pytest.raises(CaseError, match="occurred"):
        open_case(store, occurred=dt.datetime(2024, 5, 1))  # naive time
    assert store.list_ids() == []
    assert open_case(store).endswith("-0001")


def test_files_are_0600_and_folders_0700(store: FolderStore, case: str) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(store.root) == 0o700
    folder = store.case_dir(case)
    assert mode(folder) == 0o700
    names = {p.name for p in folder.iterdir()}
    assert names == {"events.jsonl", "HEAD", ".lock"}
    assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(names, 0o600)
    assert mode(store.root / ".lock") == 0o600


@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "/etc/passwd",
        "BWV-2024-001",
        "BWV-2024-00001",
        "bwv-2024-0001",
        "BWV-24-0001",
        "BWV-2024-0001/..",
        "BWV-2024-0001\n",
        "",
        ".",
        "BWV-2024-0001/../../etc",
    ],
)
def test_bad_case_ids_are_refused_everywhere(store: FolderStore, case: str, bad: str) -> None:
    for call in (store.case_dir, store.exists, store.read, store.verify, store.iter_events):
        with pytest.raises(CaseError, match="is not a case ID"):
            call(bad)
    with pytest.raises(CaseError, match="is not a case ID"):
        store.append(bad, OFFICER, answer("q.x", True))


def test_unknown_case(store: FolderStore) -> None:
    assert not store.exists("BWV-2024-0042")
    with pytest.raises(CaseError, match="no case BWV-2024-0042"):
        store.read("BWV-2024-0042")
    assert store.list_ids() == []


# --- appending ------------------------------------------------------------------------


def test_append_fills_the_envelope_and_writes_canonical_lines(
    store: FolderStore, case: str
) -> None:
    before = store.read(case)
    event = store.append(
        case,
        INSPECTOR,
        {"type": "answer_recorded", "question": "q.x", "value": ["a", "b"], "rationale": "seen"},
    )
    assert (event.seq, event.prev, event.actor) == (5, before[-1].hash, INSPECTOR)
    assert event.at == dt.datetime(2024, 5, 1, 9, 0, 5, 123461, tzinfo=dt.UTC)
    lines = log_of(store, case).read_bytes().splitlines(keepends=True)
    assert lines[-1] == event_line(event)
    assert store.read(case) == [*before, event]
    assert list(store.iter_events(case)) == [*before, event]
    assert head_of(store, case) == {"seq": 5, "hash": event.hash}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "answer_recorded", "question": "q"}, "value"),
        ({"type": "no_such_event"}, "type"),
        ({"type": "case_opened"}, "case_opened"),
    ],
)
def test_append_refuses_bad_bodies(store: FolderStore, case: str, body: dict, message: str) -> None:
    with pytest.raises(CaseError, match=message):
        store.append(case, OFFICER, body)
    assert store.verify(case).events == 4


def test_append_refuses_a_stored_event_and_case_opened(store: FolderStore, case: str) -> None:
    with pytest.raises(CaseError, match="not a stored event"):
        store.append(case, OFFICER, store.read(case)[1])
    with pytest.raises(CaseError, match="create"):
        store.append(case, OFFICER, opened(case))
    with pytest.raises(CaseError, match="PolicyRef is not an event payload"):
        store.append(case, OFFICER, POLICY)  # type: ignore[arg-type]


def test_signoff_must_sign_the_current_head(store: FolderStore, case: str) -> None:
    head = store.verify(case).head
    store.append(case, INSPECTOR, decision())
    with pytest.raises(CaseError, match="changed after it was signed"):
        store.append(case, INSPECTOR, signoff(head))
    event = store.append(case, INSPECTOR, signoff(store.verify(case).head))
    assert event.prev == store.read(case)[-2].hash
    store.append(case, OFFICER, record(event.hash))
    assert store.verify(case).ok


# --- tamper detection -----------------------------------------------------------------


def rewrite(store: FolderStore, case_id: str, lines: list[bytes]) -> None:
    log_of(store, case_id).write_bytes(b"".join(lines))


def lines_of(store: FolderStore, case_id: str) -> list[bytes]:
    return log_of(store, case_id).read_bytes().splitlines(keepends=True)


def test_a_good_log_verifies(store: FolderStore, case: str) -> None:
    verdict = store.verify(case)
    assert (verdict.ok, verdict.events, verdict.bad_seq, verdict.problem, verdict.notes) == (
        True,
        4,
        None,
        None,
        (),
    )
    assert verdict.head == store.read(case)[-1].hash


def test_every_single_byte_change_is_detected(store: FolderStore, case: str) -> None:
    original = log_of(store, case).read_bytes()
    for position in range(len(original)):
        flip = 0x80 if position % 5 == 0 else 0x01  # 0x01 keeps the text valid UTF-8
        damaged = bytearray(original)
        damaged[position] ^= flip
        log_of(store, case).write_bytes(bytes(damaged))
        verdict = store.verify(case)
        assert not verdict.ok, (position, flip)
        assert verdict.problem
    log_of(store, case).write_bytes(original)
    assert store.verify(case).ok


@pytest.mark.parametrize(
    ("edit", "bad_seq", "problem"),
    [
        (lambda ls: ls[1:], 1, "event 1: seq is 2, expected 1"),
        (lambda ls: [ls[0], *ls[2:]], 2, "event 2: seq is 3, expected 2"),
        (lambda ls: ls[:-1], 4, "HEAD records 4 events but the log has 3"),
        (lambda ls: [ls[0], ls[2], ls[1], ls[3]], 2, "event 2: seq is 3"),
        (lambda ls: [*ls[:2], ls[1], *ls[2:]], 3, "event 3: seq is 2"),
        (lambda ls: [*ls, ls[-1]], 5, "event 5: seq is 4"),
        (lambda ls: [*ls, b"\n"], 5, "event 5: not valid JSON"),
        (lambda ls: [ls[0].replace(b'"seq":1', b'"seq": 1'), *ls[1:]], 1, "canonical"),
    ],
    ids=[
        "first-deleted",
        "middle-deleted",
        "last-deleted",
        "swapped",
        "duplicated",
        "last-repeated",
        "blank-line",
        "not-canonical",
    ],
)
def test_line_edits_are_detected(store: FolderStore, case: str, edit, bad_seq, problem) -> None:
    rewrite(store, case, edit(lines_of(store, case)))
    verdict = store.verify(case)
    assert not verdict.ok
    assert verdict.bad_seq == bad_seq
    assert problem in (verdict.problem or "")


def forged(store: FolderStore, case_id: str, seq: int, prev: str) -> bytes:
    """A well-formed event with a correct hash and chain, written by someone else."""
    event = build_event(seq, START, OFFICER, prev, answer("q.forged", True))
    return event_line(event)


def test_a_forged_appended_line_is_detected(store: FolderStore, case: str) -> None:
    last = store.read(case)[-1]
    log_of(store, case).open("ab").write(forged(store, case, 5, last.hash))
    verdict = store.verify(case)
    assert (verdict.ok, verdict.bad_seq) == (False, 5)
    assert verdict.problem == "event 5 is not recorded in HEAD: added outside the store"


def test_a_rewritten_last_line_is_detected(store: FolderStore, case: str) -> None:
    events = store.read(case)
    rewrite(store, case, [*lines_of(store, case)[:-1], forged(store, case, 4, events[-2].hash)])
    verdict = store.verify(case)
    assert (verdict.ok, verdict.bad_seq, verdict.problem) == (
        False,
        4,
        "HEAD does not match event 4",
    )


def test_a_rehashed_edit_breaks_the_chain(store: FolderStore, case: str) -> None:
    events = store.read(case)
    ls = lines_of(store, case)
    rewrite(store, case, [ls[0], forged(store, case, 2, events[0].hash), *ls[2:]])
    verdict = store.verify(case)
    assert (verdict.bad_seq, verdict.problem) == (
        3,
        "event 3: prev is not the hash of event 2: the chain is broken",
    )


def test_a_log_of_another_case_is_detected(store: FolderStore, case: str) -> None:
    other = open_case(store)
    rewrite(store, other, lines_of(store, case))
    (store.case_dir(other) / "HEAD").write_bytes((store.case_dir(case) / "HEAD").read_bytes())
    verdict = store.verify(other)
    assert verdict.problem == f"event 1: opens case {case}, but this is case {other}"


@pytest.mark.parametrize("head", [None, b"", b"{}", b'{"seq": 4}', b"\xff", b"canonical + space"])
def test_a_missing_or_broken_head_is_detected(
    store: FolderStore, case: str, head: bytes | None
) -> None:
    path = store.case_dir(case) / "HEAD"
    if head == b"canonical + space":
        head = path.read_bytes().replace(b",", b", ")  # same JSON, not the bytes the store wrote
    path.unlink() if head is None else path.write_bytes(head)
    assert store.verify(case).problem == "HEAD is missing or unreadable"


def test_an_empty_log_fails(store: FolderStore, case: str) -> None:
    log_of(store, case).write_bytes(b"")
    verdict = store.verify(case)
    assert (verdict.ok, verdict.bad_seq) == (False, 1)
    assert "no events" in (verdict.problem or "")


def test_a_damaged_log_is_never_built_on(store: FolderStore, case: str) -> None:
    ls = lines_of(store, case)
    rewrite(store, case, [ls[0], ls[2], ls[1], ls[3]])
    before = log_of(store, case).read_bytes()
    with pytest.raises(IntegrityError, match="will not append to a damaged log: event 2"):
        store.append(case, OFFICER, answer("q.x", True))
    assert log_of(store, case).read_bytes() == before
    with pytest.raises(IntegrityError, match="event 2"):
        store.read(case)
    stream = store.iter_events(case)
    assert next(stream).seq == 1
    with pytest.raises(IntegrityError, match="event 2"):
        next(stream)


def test_iter_events_checks_head_at_the_end(store: FolderStore, case: str) -> None:
    rewrite(store, case, lines_of(store, case)[:-1])
    with pytest.raises(IntegrityError, match="events were removed"):
        list(store.iter_events(case))


# --- crashes --------------------------------------------------------------------------


def test_a_torn_final_line_is_ignored_then_truncated(store: FolderStore, case: str) -> None:
    events = store.read(case)
    torn = forged(store, case, 5, events[-1].hash)[:57]
    log_of(store, case).open("ab").write(torn)
    verdict = store.verify(case)
    assert verdict.ok and verdict.events == 4
    assert verdict.notes == (
        "ignored an incomplete final line (57 bytes): a write that never finished",
    )
    assert store.read(case) == events == list(store.iter_events(case))
    event = store.append(case, OFFICER, answer("q.x", True))
    assert store.read(case) == [*events, event]
    assert store.verify(case).notes == ()


class Crash(Exception):
    pass


def crash_on_call(
    monkeypatch: pytest.MonkeyPatch, name: str, call: int, partial: bool = False
) -> None:
    """Make the store's `name` (replace_file or append_line) fail on its `call`th use."""
    real = getattr(files, name)
    calls = []

    def failing(path: Path, data: bytes, **options: bool) -> None:
        calls.append(path)
        if len(calls) == call:
            if partial:
                path.open("ab").write(data[: len(data) // 2])
            raise Crash
        real(path, data, **options)

    monkeypatch.setattr(store_module, name, failing)


def test_a_failure_after_the_log_write_takes_the_event_back(
    store: FolderStore, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last write (HEAD naming the event) fails: the command reports failure, so the
    event must not stay in the case log nor in the store-wide log."""
    events = store.read(case)
    leaves = store.log_entries()
    crash_on_call(monkeypatch, "replace_file", 2)
    with pytest.raises(Crash):
        store.append(case, OFFICER, answer("q.x", True))
    monkeypatch.undo()
    assert store.read(case) == events and store.log_entries() == leaves
    head = head_of(store, case)
    assert head["seq"] == 4 and head["pending"] != events[-1].hash
    verdict = store.verify(case)
    assert verdict.ok and verdict.notes == (
        "an append was interrupted before its event was written",
    )
    event = store.append(case, OFFICER, answer("q.y", False))
    assert head_of(store, case) == {"seq": 5, "hash": event.hash}
    assert store.verify(case).notes == ()


def test_events_a_crash_left_uncommitted_are_hidden_then_settled(
    store: FolderStore, case: str
) -> None:
    """A crash between the case log and the store-wide log: readers see only what HEAD
    names; the next writer cuts the uncommitted event off (no leaf committed it)."""
    events = store.read(case)
    (extra,) = chain_events(case, events[-1], OFFICER, [answer("q.x", True)], events[-1].at)
    pending = {"hash": events[-1].hash, "pending": extra.hash, "seq": 4}
    (store.case_dir(case) / "HEAD").write_bytes(canonical_json(pending) + b"\n")
    with log_of(store, case).open("ab") as fh:
        fh.write(event_line(extra))
    verdict = store.verify(case)
    assert verdict.ok and verdict.events == 4
    assert verdict.notes == ("HEAD lags the log by event 5 (an interrupted append)",)
    assert store.read(case) == events
    event = store.append(case, OFFICER, answer("q.y", False))
    assert event.seq == 5 and store.read(case) == [*events, event]
    assert store.log_entries()[-1].head == event.hash


@pytest.mark.parametrize("partial", [False, True])
def test_crash_before_or_during_the_log_write(
    store: FolderStore, case: str, monkeypatch: pytest.MonkeyPatch, partial: bool
) -> None:
    events = store.read(case)
    crash_on_call(monkeypatch, "append_line", 1, partial)
    with pytest.raises(Crash):
        store.append(case, OFFICER, answer("q.x", True))
    monkeypatch.undo()
    verdict = store.verify(case)
    assert verdict.ok and verdict.events == 4
    assert "an append was interrupted before its event was written" in verdict.notes
    assert store.read(case) == events
    store.append(case, OFFICER, answer("q.x", True))
    assert store.verify(case) == Verification(case, True, 5, head=store.read(case)[-1].hash)


# --- locks and concurrency ------------------------------------------------------------


def test_a_held_lock_times_out_with_lock_error(store: FolderStore, case: str) -> None:
    impatient = FolderStore(store.root, lock_timeout=0.2)
    with files.locked(store.case_dir(case) / ".lock", "test", 1.0):
        with pytest.raises(LockError, match=f"case {case} is locked"):
            impatient.append(case, OFFICER, answer("q.x", True))
        with pytest.raises(LockError):
            impatient.verify(case)  # readers wait for a writer too
    assert impatient.verify(case).ok


def _append_many(root: str, case_id: str, worker: str, count: int) -> None:
    store = FolderStore(Path(root), lock_timeout=30.0)
    actor = OFFICER.model_copy(update={"number": worker})
    for i in range(count):
        time.sleep(0.001)  # flock polling is not fair: back-to-back appends would starve the other
        store.append(
            case_id, actor, AnswerRecorded(question=f"{worker}.q{i}", value=True, rationale="")
        )


def test_two_processes_appending_at_once(store: FolderStore, case: str) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = [
        ctx.Process(target=_append_many, args=(str(store.root), case, name, 100))
        for name in ("A", "B")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    verdict = store.verify(case)
    assert verdict.ok and verdict.events == 204 and verdict.notes == ()
    events = store.read(case)[4:]
    for name in ("A", "B"):
        mine = [e for e in events if e.actor.number == name]
        assert [e.question for e in mine] == [f"{name}.q{i}" for i in range(100)]  # type: ignore[union-attr]


def _create_many(root: str, count: int) -> None:
    store = FolderStore(Path(root), lock_timeout=30.0)
    for _ in range(count):
        open_case(store)


def test_two_processes_creating_cases_get_distinct_ids(store: FolderStore) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_create_many, args=(str(store.root), 10)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    ids = store.list_ids()
    assert len(ids) == 20 and ids[-1].endswith("-0020")
    assert all(store.verify(case_id).ok for case_id in ids)


# --- links and odd files in place of case files --------------------------------------


@pytest.mark.parametrize("name", ["events.jsonl", "HEAD", ".lock"])
def test_a_case_file_that_is_a_link_is_refused(
    store: FolderStore, case: str, tmp_path: Path, name: str
) -> None:
    path = store.case_dir(case) / name
    outside = tmp_path / f"outside-{name}"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(IntegrityError, match=f"{name} is a symbolic link; refusing to follow it"):
        store.verify(case)
    with pytest.raises(IntegrityError, match="symbolic link"):
        store.append(case, OFFICER, answer("q.x", True))
    assert outside.read_bytes() == (store.case_dir(case) / name).read_bytes()


def test_a_case_folder_that_is_a_link_is_refused(
    store: FolderStore, case: str, tmp_path: Path
) -> None:
    folder = store.case_dir(case)
    moved = tmp_path / "elsewhere"
    folder.rename(moved)
    folder.symlink_to(moved)
    for action in (
        lambda: store.verify(case),
        lambda: store.append(case, OFFICER, answer("q", True)),
    ):
        with pytest.raises(IntegrityError, match="is a symbolic link; a case folder must be"):
            action()
    assert case in store.list_ids()  # listed, so that a listing shows it as damaged


@pytest.mark.parametrize("name", ["events.jsonl", "HEAD"])
def test_a_folder_in_place_of_a_case_file_is_refused(
    store: FolderStore, case: str, name: str
) -> None:
    path = store.case_dir(case) / name
    path.unlink()
    path.mkdir()
    with pytest.raises(IntegrityError, match=f"{name} is a folder, not a file"):
        store.verify(case)


def test_a_stale_temp_file_or_link_is_never_written_through(
    store: FolderStore, case: str, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"keep")
    (store.case_dir(case) / "HEAD.tmp").symlink_to(target)
    store.append(case, OFFICER, answer("q.x", True))
    assert target.read_bytes() == b"keep"
    assert store.verify(case).ok


@pytest.mark.parametrize(
    "body",
    [
        answer("q.x", True, "shown \x1b[2J hidden"),
        answer("q.x", True, "\u202egnp.exe"),
        answer("q.x", True, "lone \udcff byte"),
    ],
)
def test_hidden_characters_are_never_stored(store: FolderStore, case: str, body: object) -> None:
    before = log_of(store, case).read_bytes()
    with pytest.raises(CaseError, match="rationale holds a control, invisible or direction-"):
        store.append(case, OFFICER, body)  # type: ignore[arg-type]
    assert log_of(store, case).read_bytes() == before
