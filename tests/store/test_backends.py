"""The store interface, tested once per backend (folder and PostgreSQL) with the same tests.

Nothing here names a backend: what holds for one store holds for the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from bwvdisclose.audit.verify import verify_store
from bwvdisclose.case.events import Event, event_line
from bwvdisclose.case.payloads import AnswerRecorded, Body, RecordRendered
from bwvdisclose.case.verify import Head
from bwvdisclose.errors import CaseError, IntegrityError, StoreError
from bwvdisclose.store.base import CaseStore

from ..case.conftest import (
    INSPECTOR,
    OFFICER,
    Clock,
    answer,
    decision,
    open_case,
    opened,
    recommendation,
    signoff,
)
from .conftest import Reopen

PDF = b"%PDF-1.7\n% not a real record: the store keeps bytes\n%%EOF\n"


def answered(events: Sequence[Event], question: str) -> bool:
    return any(isinstance(e, AnswerRecorded) and e.question == question for e in events)


def record_body(data: bytes) -> object:
    digest = hashlib.sha256(data).hexdigest()

    def build(events: Sequence[Event], name: str) -> RecordRendered:
        return RecordRendered(file=name, sha256=digest, size=len(data), head=events[-1].hash)

    return build


# --- case IDs --------------------------------------------------------------------------------


def test_case_ids_count_up_within_each_year(reopen: Reopen) -> None:
    store = reopen(clock=Clock(dt.datetime(2024, 12, 31, 23, 59, 57, tzinfo=dt.UTC)))
    assert [open_case(store) for _ in range(3)] == [
        "BWV-2024-0001",
        "BWV-2024-0002",
        "BWV-2025-0001",
    ]
    assert store.list_ids() == ["BWV-2024-0001", "BWV-2024-0002", "BWV-2025-0001"]
    assert reopen().list_ids() == store.list_ids()  # another user of the same store


def test_case_ids_opened_at_once_are_all_different(reopen: Reopen) -> None:
    stores = [reopen() for _ in range(4)]
    got: list[str] = []
    errors: list[BaseException] = []

    def run(store: CaseStore) -> None:
        try:
            got.extend(open_case(store) for _ in range(5))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(got)) == 20
    assert sorted(got) == stores[0].list_ids()
    assert all(stores[0].verify(c).ok for c in got)


# --- reading and writing -----------------------------------------------------------------------


def test_what_is_appended_reads_back_verified(any_store: CaseStore) -> None:
    case_id = open_case(any_store)
    any_store.append(case_id, OFFICER, answer("footage.public_place", True, "A street."))
    any_store.append(case_id, INSPECTOR, recommendation())
    verdict, events = any_store.verify_and_read(case_id)
    assert verdict.ok and verdict.events == 3 and verdict.head == events[-1].hash
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[2].actor == INSPECTOR
    assert any_store.exists(case_id) and not any_store.exists("BWV-1999-0001")
    lines = b"".join(event_line(e) for e in events)
    assert any_store.log_bytes(case_id, 3) == lines
    assert any_store.log_bytes(case_id, 2) == b"".join(event_line(e) for e in events[:2])


def test_the_same_work_gives_the_same_bytes_on_every_backend(tmp_path: Path, pg_url: str) -> None:
    from bwvdisclose.store import open_store

    logs = []
    for location in (str(tmp_path / "folder"), pg_url):
        store = open_store(location, clock=Clock())
        case_id = open_case(store)
        store.append(case_id, OFFICER, answer("people.children", "none"))
        store.append(case_id, INSPECTOR, recommendation())
        store.append(case_id, INSPECTOR, decision())
        head = store.read(case_id)[-1].hash
        store.append(case_id, INSPECTOR, signoff(head))
        logs.append((case_id, store.log_bytes(case_id, 5), store.verify(case_id)))
    assert logs[0] == logs[1]


BAD_IDS = ["../BWV-2024-0001", "/etc/passwd", "BWV-2024-1", "BWV-2024-0001 ", "", "BWV-٢٠٢٤-0001"]


def test_what_is_not_a_case_id_is_refused_before_anything_is_read(any_store: CaseStore) -> None:
    for bad in BAD_IDS:
        calls = [
            lambda bad=bad: any_store.exists(bad),
            lambda bad=bad: any_store.verify_and_read(bad),
            lambda bad=bad: any_store.log_bytes(bad, 1),
            lambda bad=bad: any_store.read_record(bad, "x.pdf"),
            lambda bad=bad: any_store.append(bad, OFFICER, answer("q", True)),
        ]
        for call in calls:
            with pytest.raises(CaseError, match="is not a case ID"):
                call()


def test_an_unknown_case_is_named(any_store: CaseStore) -> None:
    with pytest.raises(CaseError, match="no case BWV-2024-0042"):
        any_store.verify_and_read("BWV-2024-0042")
    with pytest.raises(CaseError, match="no case BWV-2024-0042"):
        any_store.append("BWV-2024-0042", OFFICER, answer("q", True))


# --- transact: the check and the write are one step ---------------------------------------------


def test_transact_appends_everything_build_returns(any_store: CaseStore) -> None:
    case_id = open_case(any_store)
    seen: list[int] = []

    def build(events: Sequence[Event]) -> list[Body]:
        seen.append(len(events))
        return [answer("a.one", True), answer("a.two", False)]

    new = any_store.transact(case_id, OFFICER, build)
    assert seen == [1]
    assert [e.seq for e in new] == [2, 3]
    assert any_store.read(case_id)[1:] == new


@pytest.mark.parametrize(
    "bodies",
    [
        pytest.param(lambda head: [answer("a.one", True), opened()], id="case_opened-again"),
        pytest.param(lambda head: [answer("a.one", True), signoff(head)], id="stale-signoff"),
        pytest.param(lambda head: [answer("a.one", True), answer("a.two", "x\x1b[2J")], id="esc"),
    ],
)
def test_transact_writes_nothing_when_any_body_is_refused(any_store: CaseStore, bodies) -> None:  # type: ignore[no-untyped-def]
    case_id = open_case(any_store)
    before = any_store.read(case_id)
    head = before[-1].hash
    with pytest.raises(CaseError):
        any_store.transact(case_id, OFFICER, lambda events: bodies(head))
    assert any_store.read(case_id) == before
    assert any_store.verify(case_id).ok


def test_what_build_raises_is_passed_on_and_nothing_is_written(any_store: CaseStore) -> None:
    case_id = open_case(any_store)

    def refuse(events: Sequence[Event]) -> list[Body]:
        raise CaseError("question a.one is answered already")

    with pytest.raises(CaseError, match="answered already"):
        any_store.transact(case_id, OFFICER, refuse)
    assert len(any_store.read(case_id)) == 1


ROUNDS = 50


def race_once(stores: Sequence[CaseStore], case_id: str) -> list[str]:
    """Every store checks and answers the same question at the same moment."""
    barrier = threading.Barrier(len(stores))
    outcomes: list[str] = []

    def build(events: Sequence[Event]) -> list[Body]:
        if answered(events, "legal.iopc_status"):
            raise CaseError("answered already")
        return [answer("legal.iopc_status", "referred")]

    def run(store: CaseStore) -> None:
        barrier.wait()
        try:
            store.transact(case_id, OFFICER, build)
            outcomes.append("won")
        except CaseError:
            outcomes.append("refused")

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_writers_checking_the_same_case_one_wins_every_round(reopen: Reopen) -> None:
    """The check runs inside the append: the loser sees the winner's answer and refuses."""
    first, second = reopen(), reopen()
    for _ in range(ROUNDS):
        case_id = open_case(first)
        assert race_once([first, second], case_id) == ["refused", "won"]
        events = first.read(case_id)
        assert sum(answered([e], "legal.iopc_status") for e in events) == 1


# --- records ------------------------------------------------------------------------------


def test_a_record_is_filed_under_a_new_name_with_its_event(any_store: CaseStore) -> None:
    case_id = open_case(any_store)
    filed = any_store.file_record(case_id, INSPECTOR, PDF, record_body(PDF))  # type: ignore[arg-type]
    again = any_store.file_record(case_id, INSPECTOR, PDF, record_body(PDF))  # type: ignore[arg-type]
    assert filed.name != again.name
    assert any_store.read_record(case_id, filed.name) == PDF
    assert any_store.read_record(case_id, again.name) == PDF
    assert any_store.read_record(case_id, "nothing.pdf") is None
    assert sorted(any_store.record_names(case_id)) == sorted([filed.name, again.name])
    events = any_store.read(case_id)
    assert events[-2:] == [filed.event, again.event]
    assert isinstance(filed.event, RecordRendered) and filed.event.file == filed.name
    assert filed.name in any_store.record_location(case_id, filed.name)


def test_a_refused_record_leaves_no_file_and_no_event(any_store: CaseStore) -> None:
    case_id = open_case(any_store)

    def refuse(events: Sequence[Event], name: str) -> RecordRendered:
        raise CaseError("the case changed while its record was made")

    with pytest.raises(CaseError, match="changed"):
        any_store.file_record(case_id, INSPECTOR, PDF, refuse)
    assert any_store.record_names(case_id) == []
    assert len(any_store.read(case_id)) == 1


def test_a_damaged_case_is_not_appended_to(any_store: CaseStore, backend: str) -> None:
    """Only tampering from outside the store damages a case; then the store will not build on it."""
    case_id = open_case(any_store)
    any_store.append(case_id, OFFICER, answer("people.children", "none"))
    tamper_with_event(any_store, backend, case_id, 2, b'"none"', b'"some"')
    verdict = any_store.verify(case_id)
    assert not verdict.ok and verdict.bad_seq == 2
    assert "hash does not match" in (verdict.problem or "")
    with pytest.raises(IntegrityError, match="damaged"):
        any_store.append(case_id, OFFICER, answer("people.adults", "none"))


def tamper_with_event(
    store: CaseStore, backend: str, case_id: str, seq: int, old: bytes, new: bytes
) -> None:
    """An insider with full rights edits one stored event in place."""
    if backend == "folder":
        path = Path(store.location) / case_id / "events.jsonl"
        path.write_bytes(path.read_bytes().replace(old, new))
        return
    import psycopg

    with psycopg.connect(store.url) as conn:  # type: ignore[attr-defined]
        conn.execute("ALTER TABLE bwvdisclose.events DISABLE TRIGGER USER")
        where = (case_id, seq)
        row = conn.execute(
            "SELECT line FROM bwvdisclose.events WHERE case_id = %s AND seq = %s", where
        ).fetchone()
        assert row is not None
        conn.execute(
            "UPDATE bwvdisclose.events SET line = %s WHERE case_id = %s AND seq = %s",
            (bytes(row[0]).replace(old, new), *where),
        )
        conn.execute("ALTER TABLE bwvdisclose.events ENABLE TRIGGER USER")


# --- the store-wide log ------------------------------------------------------------------------


def test_every_commit_is_one_leaf_of_the_store_wide_log(any_store: CaseStore) -> None:
    first = open_case(any_store)
    second = open_case(any_store)
    any_store.transact(first, OFFICER, lambda _e: [answer("a.one", True), answer("a.two", True)])
    any_store.file_record(second, INSPECTOR, PDF, record_body(PDF))  # type: ignore[arg-type]
    any_store.transact(first, OFFICER, lambda _e: [])  # nothing to append: no leaf
    origin = any_store.log_origin()
    assert origin is not None and origin.startswith("bwvdisclose/")
    heads = {c: any_store.read(c)[-1].hash for c in (first, second)}
    entries = any_store.log_entries()
    assert [(e.index, e.case_id, e.seq) for e in entries] == [
        (0, first, 1),
        (1, second, 1),
        (2, first, 3),
        (3, second, 2),
    ]
    assert entries[2].head == heads[first] and entries[3].head == heads[second]
    with pytest.raises(StoreError, match="already has a store-wide log"):
        any_store.adopt()  # a store with a log keeps it


def test_a_case_cut_short_outside_the_store_fails_the_audit(
    any_store: CaseStore, backend: str
) -> None:
    case_id = open_case(any_store)
    any_store.append(case_id, OFFICER, answer("people.children", "none"))
    any_store.append(case_id, OFFICER, answer("people.adults", "none"))
    remove_last_event(any_store, backend, case_id)
    summary = verify_store(any_store)
    [check] = summary.failed
    assert check.case_id == case_id
    assert "events were removed" in " ".join(check.failures)


def remove_last_event(store: CaseStore, backend: str, case_id: str) -> None:
    """An insider with full rights deletes a case's last event (and, for a folder, keeps
    HEAD consistent with what is left, as a careful insider would)."""
    if backend == "folder":
        folder = Path(store.location) / case_id
        lines = (folder / "events.jsonl").read_bytes().splitlines(keepends=True)
        (folder / "events.jsonl").write_bytes(b"".join(lines[:-1]))
        head = json.loads(lines[-2])
        (folder / "HEAD").write_bytes(Head(seq=head["seq"], hash=head["hash"]).to_bytes())
        return
    import psycopg

    with psycopg.connect(store.url) as conn:  # type: ignore[attr-defined]
        conn.execute("ALTER TABLE bwvdisclose.events DISABLE TRIGGER USER")
        conn.execute(
            "DELETE FROM bwvdisclose.events WHERE case_id = %s AND seq = "
            "(SELECT max(seq) FROM bwvdisclose.events WHERE case_id = %s)",
            (case_id, case_id),
        )
        conn.execute("ALTER TABLE bwvdisclose.events ENABLE TRIGGER USER")
