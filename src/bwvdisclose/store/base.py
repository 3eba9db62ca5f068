"""The case store interface: what every backend (folder, PostgreSQL) provides.

The workflow (`cases.py`, `record/build.py`, `audit/`) talks only to `CaseStore`; it
never names a backend. A backend keeps, per case, an append-only hash-chained list of
events (see `case/events.py` for their form) and, across the store, one append-only
log of every event (the store-wide log, a Merkle tree: see `merkle.py`).

The one rule that makes the store safe under races: **every check against a case's
state happens inside the append.** `transact(case_id, actor, build)` takes the case's
lock (the folder backend: an exclusive flock; a database: one transaction that locks
the case's row), reads and verifies the case's events, calls `build(events)` there,
and appends every body `build` returns, all of them or none. `build` raises (any
BwvError) to refuse; nothing is written then. Two commands racing on one case: the
second runs `build` on the events the first appended.

Records (the signed PDFs) are filed with `file_record`: under the same lock, to a
name the store chooses and that no other file has (never replacing a file), together
with the event naming it.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bwvdisclose.case.events import (
    BODY_ADAPTER,
    ZERO_HASH,
    CaseOpenedEvent,
    Envelope,
    Event,
    build_event,
    canonical_json,
)
from bwvdisclose.case.payloads import (
    CASE_ID_PATTERN,
    PAYLOADS,
    Actor,
    Body,
    CaseOpened,
    RecordRendered,
    SignoffRecorded,
)
from bwvdisclose.case.verify import Verification
from bwvdisclose.datafile import flatten_validation_error
from bwvdisclose.errors import CaseError, IntegrityError
from bwvdisclose.policy.models import PolicyRef
from bwvdisclose.safetext import hidden_char, strings

DEFAULT_LOCK_TIMEOUT = 10.0
ID_RE = re.compile(CASE_ID_PATTERN.strip("^$"), re.ASCII)
MAX_ID = 40
PARTIAL = ".partial-"  # a record file being filed (see FolderStore.file_record)

# build(events) -> the bodies to append after them (maybe none); raise to refuse.
Build = Callable[[Sequence[Event]], Sequence[Body]]
# build(events, file name) -> the record_rendered body for a record filed under that name.
RecordBuild = Callable[[Sequence[Event], str], RecordRendered]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_case_id(case_id: str) -> str:
    """Return `case_id` if it is a case ID (BWV-YYYY-NNNN), else raise CaseError."""
    if not isinstance(case_id, str) or len(case_id) > MAX_ID or not ID_RE.fullmatch(case_id):
        shown = repr(case_id) if len(repr(case_id)) <= 60 else repr(case_id)[:57] + "..."
        raise CaseError(f"{shown} is not a case ID (expected BWV-YYYY-NNNN: BWV-2024-0001)")
    return case_id


def id_sort_key(case_id: str) -> tuple[int, int]:
    m = ID_RE.fullmatch(case_id)
    return (int(m[1]), int(m[2])) if m else (0, 0)


def check_signed_head(case_id: str, body: Body, prev: str) -> None:
    """A sign-off must sign the head it is appended after; CaseError if the case moved on."""
    if isinstance(body, SignoffRecorded) and body.head != prev:
        raise CaseError(
            f"case {case_id} changed after it was signed (signed {body.head[:12]}, "
            f"now {prev[:12]}): review the case and sign again"
        )


def refuse_hidden_text(body: Body, actor: Actor) -> None:
    """Refuse text that would hide or reorder what a record shows, or cannot be stored."""
    fields = {"actor": actor.model_dump(), **body.model_dump(mode="json")}
    for name, value in fields.items():
        for text in strings(value):
            problem = hidden_char(text)
            if problem:
                raise CaseError(
                    f"{body.type}: {name} holds a control or direction-changing character "
                    f"({problem}); not recorded"
                )


def to_body(body: Body | Mapping[str, Any]) -> Body:
    """A payload model as given, or one validated from a dict with `type`."""
    if isinstance(body, Envelope):
        raise CaseError("pass an event's payload to append, not a stored event")
    if isinstance(body, PAYLOADS):
        return body
    if not isinstance(body, Mapping):  # another model, or a data class such as PolicyRef
        raise CaseError(f"{type(body).__name__} is not an event payload")
    try:
        return BODY_ADAPTER.validate_python(dict(body))
    except ValidationError as exc:
        raise CaseError(flatten_validation_error("event", exc)) from None


def chain_events(
    case_id: str, last: Event | None, actor: Actor, bodies: Sequence[Body], at: dt.datetime
) -> list[Event]:
    """The stored events for `bodies` appended after `last` (None: a new case)."""
    seq, prev = (last.seq, last.hash) if last else (0, ZERO_HASH)
    events: list[Event] = []
    for body in bodies:
        if isinstance(body, CaseOpened) != (seq == 0):
            raise CaseError("a case starts with case_opened, and has only one")
        check_signed_head(case_id, body, prev)
        refuse_hidden_text(body, actor)
        seq += 1
        event = build_event(seq, at, actor, prev, body)
        events.append(event)
        prev = event.hash
    return events


def record_file_name(case_id: str, seq: int, sha256: str, attempt: int = 0) -> str:
    """The file name of a record logged as event `seq`: unique per case, never reused."""
    extra = f"-{attempt}" if attempt else ""
    return f"{case_id}-record-{seq:04d}-{sha256[:12]}{extra}.pdf"


def leaf_data(case_id: str, seq: int, head: str) -> bytes:
    """The bytes of one leaf of the store-wide log: a case's head after a commit."""
    return canonical_json({"case": case_id, "head": head, "seq": seq})


@dataclass(frozen=True)
class LogEntry:
    """One leaf of the store-wide log: case `case_id` had `seq` events, the last hashed `head`."""

    index: int
    case_id: str
    seq: int
    head: str

    def data(self) -> bytes:
        return leaf_data(self.case_id, self.seq, self.head)


def next_case_id(issued: Sequence[str], year: int) -> str:
    """The next ID of `year` after every ID ever issued (the store-wide log's case IDs)."""
    numbers = [n for y, n in map(id_sort_key, issued) if y == year]
    return f"BWV-{year:04d}-{max(numbers, default=0) + 1:04d}"


@dataclass(frozen=True)
class Filed:
    """A record filed in the store: its file name and the event that names it."""

    name: str
    event: Event


class CaseStore(ABC):
    """A store of cases. Subclasses: `FolderStore` (store/folder.py), and database stores.

    Readers (`verify_and_read`, `read`, `log_bytes`, `read_record`) never write.
    Writers (`open_case`, `transact`, `file_record`) are atomic: everything or nothing,
    and a failed write leaves nothing a reader could take for an event.
    """

    location: str
    lock_timeout: float

    def __init__(
        self,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.lock_timeout = lock_timeout
        self.clock = clock

    # --- reading -------------------------------------------------------------------------

    @abstractmethod
    def list_ids(self) -> list[str]:
        """Every case's ID, in order of year and number."""

    @abstractmethod
    def exists(self, case_id: str) -> bool:
        """Whether the store holds a case `case_id` (CaseError if it is not a case ID)."""

    @abstractmethod
    def verify_and_read(self, case_id: str) -> tuple[Verification, list[Event]]:
        """One consistent read: the verdict on the case's log and the events that checked out
        (all of them if ok). CaseError if there is no such case."""

    @abstractmethod
    def log_bytes(self, case_id: str, count: int) -> bytes:
        """The case's first `count` events as `events.jsonl` lines, byte for byte."""

    @abstractmethod
    def read_record(self, case_id: str, name: str) -> bytes | None:
        """A filed record's bytes, or None if there is no record file by that name."""

    @abstractmethod
    def record_location(self, case_id: str, name: str) -> str:
        """Where a person finds a filed record (a path, or the store and the name)."""

    @abstractmethod
    def record_names(self, case_id: str) -> list[str]:
        """Every record file the case holds, named or not by an event (for audits)."""

    # --- writing -------------------------------------------------------------------------

    @abstractmethod
    def open_case(self, actor: Actor, make: Callable[[str], CaseOpened]) -> CaseOpenedEvent:
        """Allocate the next case ID of this year (never one issued before, even if that
        case is gone) and store `make(case_id)` as its first event, atomically."""

    @abstractmethod
    def transact(self, case_id: str, actor: Actor, build: Build) -> list[Event]:
        """Under the case's lock: read and verify its events, call `build(events)` and
        append what it returns, all or nothing. Returns the events appended.

        IntegrityError if the case fails verification (nothing is built on a damaged
        log); whatever `build` raises is passed on, with nothing written.
        """

    @abstractmethod
    def file_record(self, case_id: str, actor: Actor, data: bytes, build: RecordBuild) -> Filed:
        """Under the case's lock: file `data` under a new name (never replacing a file)
        and append `build(events, name)`, all or nothing."""

    @abstractmethod
    def import_case(self, events: Sequence[Event], records: Mapping[str, bytes]) -> None:
        """Store a whole case at once (its ID must never have been issued here), with its
        record files by the names its events give; one leaf in the store-wide log."""

    # --- the store-wide log --------------------------------------------------------------

    @abstractmethod
    def log_origin(self) -> str | None:
        """The log's origin line (`bwvdisclose/<store ID>`), or None if the store has none."""

    @abstractmethod
    def log_entries(self) -> list[LogEntry]:
        """Every leaf of the store-wide log, in order (IntegrityError if it is unreadable)."""

    @abstractmethod
    def adopt(self) -> int:
        """Give a store that has cases but no store-wide log one: a leaf per case as it
        stands (`store adopt-log`, never implicitly). Returns the leaves added; StoreError
        if the store has a log already."""

    def prefetch(self, case_ids: Sequence[str], *, records: bool = False) -> None:
        """A hint that these cases (and with `records` their record files) are about to be
        read, one after another (an audit): a backend may read them at once, each read
        then giving the case as it stood at the prefetch. Nothing by default."""
        return None

    # --- built on the above --------------------------------------------------------------

    def verify(self, case_id: str) -> Verification:
        return self.verify_and_read(case_id)[0]

    def read(self, case_id: str) -> list[Event]:
        """Every event of a case, checked; IntegrityError if the log fails verification."""
        verdict, events = self.verify_and_read(case_id)
        if not verdict.ok:
            raise IntegrityError(f"case {case_id} fails verification: {verdict.problem}")
        return events

    def append(self, case_id: str, actor: Actor, body: Body | Mapping[str, Any]) -> Event:
        """Record one event with no check beyond the log's own; return it as stored."""
        payload = to_body(body)
        if isinstance(payload, CaseOpened):
            raise CaseError("a case is opened with create(), not appended to")
        return self.transact(case_id, actor, lambda _events: [payload])[0]

    def create(
        self,
        actor: Actor,
        *,
        incident_ref: str,
        occurred: dt.datetime,
        location: str,
        clips: Sequence[str],
        policy: PolicyRef,
        notes: str = "",
    ) -> CaseOpenedEvent:
        """Open a new case with the next free ID of this year; return its case_opened event."""

        def make(case_id: str) -> CaseOpened:
            body = to_body(
                {"type": "case_opened", "case_id": case_id, "incident_ref": incident_ref}
                | {"occurred": occurred, "location": location, "clips": list(clips)}
                | {"policy": policy, "notes": notes}
            )
            assert isinstance(body, CaseOpened)
            return body

        return self.open_case(actor, make)
