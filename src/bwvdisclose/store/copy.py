"""Moving a case store between backends (a folder and PostgreSQL, either way).

`copy_store(src, dst)` first checks every case at the source (hash chain, the events'
order, and each record file named by an event against its recorded SHA-256) and
copies nothing if any fails. Then, case by case: read and check again, write the case
whole into the destination (`import_case`: its own ID, its events exactly as stored,
its record files), read it back there, check it the same way, and compare the events'
bytes and the records' bytes with the source's. The destination must hold no cases.

Writers should be stopped while a store is copied: a case changed after its copy is
read is not copied again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bwvdisclose.case.events import Event, RecordRenderedEvent
from bwvdisclose.case.state import fold
from bwvdisclose.errors import BwvError, IntegrityError, StoreError
from bwvdisclose.store.base import CaseStore

SHOWN_FAILURES = 5


@dataclass
class CopyResult:
    cases: int = 0
    events: int = 0
    records: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckedCase:
    events: list[Event]
    records: dict[str, bytes]
    notes: list[str]


def check_case(store: CaseStore, case_id: str) -> CheckedCase:
    """A case as `verify CASE` and `audit verify` see it, with its record files; or
    IntegrityError naming what is wrong."""
    verdict, events = store.verify_and_read(case_id)
    if not verdict.ok:
        raise IntegrityError(f"{case_id}: {verdict.problem}")
    try:
        fold(events)
    except BwvError as exc:
        raise IntegrityError(f"{case_id}: {exc}") from None
    records: dict[str, bytes] = {}
    notes: list[str] = []
    for e in events:
        if not isinstance(e, RecordRenderedEvent):
            continue
        data = store.read_record(case_id, e.file)
        if data is None:
            notes.append(f"{case_id}: record {e.file} (event {e.seq}) is missing; not copied")
        elif hashlib.sha256(data).hexdigest() != e.sha256 or len(data) != e.size:
            raise IntegrityError(
                f"{case_id}: record {e.file} differs from the one event {e.seq} recorded"
            )
        else:
            records[e.file] = data
    for name in sorted(set(store.record_names(case_id)) - {e.file for e in _rendered(events)}):
        notes.append(f"{case_id}: file {name} is named by no event; not copied")
    return CheckedCase(events, records, notes)


def _rendered(events: Sequence[Event]) -> list[RecordRenderedEvent]:
    return [e for e in events if isinstance(e, RecordRenderedEvent)]


def copy_store(
    src: CaseStore, dst: CaseStore, progress: Callable[[str], None] | None = None
) -> CopyResult:
    """Copy every case of `src` into the empty store `dst`, checking both sides."""
    ids = src.list_ids()
    if dst.list_ids():
        raise StoreError(f"{dst.location} already holds cases; copy into a new or empty store")
    failures = []
    for case_id in ids:
        try:
            check_case(src, case_id)
        except BwvError as exc:
            failures.append(str(exc))
    if failures:
        shown = "; ".join(failures[:SHOWN_FAILURES])
        more = f" (and {len(failures) - SHOWN_FAILURES} more)" if len(failures) > 5 else ""
        raise IntegrityError(
            f"{len(failures)} of {len(ids)} cases at {src.location} fail verification, so "
            f"nothing was copied: {shown}{more}"
        )
    result = CopyResult()
    for case_id in ids:
        copy_case(src, dst, case_id, result)
        if progress:
            progress(case_id)
    return result


def copy_case(src: CaseStore, dst: CaseStore, case_id: str, result: CopyResult) -> None:
    case = check_case(src, case_id)
    dst.import_case(case.events, case.records)
    there = check_case(dst, case_id)
    count = len(case.events)
    if len(there.events) != count or dst.log_bytes(case_id, count) != src.log_bytes(case_id, count):
        raise IntegrityError(f"{case_id}: the copy's events differ from the source's")
    if there.records != case.records:
        raise IntegrityError(f"{case_id}: the copy's record files differ from the source's")
    result.cases += 1
    result.events += count
    result.records += len(case.records)
    result.notes += case.notes
