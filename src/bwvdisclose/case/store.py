"""CaseStore: one folder per case holding an append-only, hash-chained `events.jsonl`.

Layout: `<root>/.lock` (taken to allocate IDs), and per case `<root>/BWV-YYYY-NNNN/`
with `events.jsonl`, `HEAD` and `.lock`. Files are 0600, folders 0700.

An append, under an exclusive flock on the case's `.lock`: verify the whole log
(refusing a damaged one), drop a torn final line, write HEAD as
`{"seq": n-1, "hash": h(n-1), "pending": h(n)}`, append the line with one write and
fsync, then write HEAD as `{"seq": n, "hash": h(n)}`. HEAD is replaced atomically each
time. So after a crash HEAD names the last event, or the one before it with the last
event's hash as `pending`; any other extra line was added outside the store.
Readers take a shared flock, so they never see an append half done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bwvdisclose.case.events import (
    BODY_ADAPTER,
    ZERO_HASH,
    CaseOpenedEvent,
    Envelope,
    Event,
    build_event,
    event_line,
)
from bwvdisclose.case.files import append_line, locked, make_dir, read_bytes, replace_file, truncate
from bwvdisclose.case.payloads import (
    CASE_ID_PATTERN,
    PAYLOADS,
    Actor,
    Body,
    CaseOpened,
    SignoffRecorded,
)
from bwvdisclose.case.verify import (
    BadEvent,
    Chain,
    Head,
    LogScan,
    Verification,
    finish,
    parse_head,
    scan_log,
)
from bwvdisclose.datafile import flatten_validation_error
from bwvdisclose.errors import CaseError, IntegrityError
from bwvdisclose.policy.models import PolicyRef
from bwvdisclose.safetext import hidden_char, strings

LOG, HEAD, LOCK = "events.jsonl", "HEAD", ".lock"
DEFAULT_LOCK_TIMEOUT = 10.0
_ID_RE = re.compile(CASE_ID_PATTERN.strip("^$"), re.ASCII)
MAX_ID = 40


def check_case_id(case_id: str) -> str:
    """Return `case_id` if it is a case ID (BWV-YYYY-NNNN), else raise CaseError."""
    if not isinstance(case_id, str) or len(case_id) > MAX_ID or not _ID_RE.fullmatch(case_id):
        shown = repr(case_id) if len(repr(case_id)) <= 60 else repr(case_id)[:57] + "..."
        raise CaseError(f"{shown} is not a case ID (expected BWV-YYYY-NNNN: BWV-2024-0001)")
    return case_id


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


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_body(body: Body | Mapping[str, Any]) -> Body:
    """A payload model as given, or one validated from a dict with `type`."""
    if isinstance(body, Envelope):
        raise CaseError("pass an event's payload to append, not a stored event")
    if isinstance(body, PAYLOADS):
        return body
    if isinstance(body, BaseModel):
        raise CaseError(f"{type(body).__name__} is not an event payload")
    try:
        return BODY_ADAPTER.validate_python(dict(body))
    except ValidationError as exc:
        raise CaseError(flatten_validation_error("event", exc)) from None


class CaseStore:
    def __init__(
        self,
        root: Path,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self._clock = clock

    # --- finding cases -------------------------------------------------------------------

    def case_dir(self, case_id: str) -> Path:
        return self.root / check_case_id(case_id)

    def exists(self, case_id: str) -> bool:
        return self.case_dir(case_id).is_dir()

    def _real_folder(self, case_id: str) -> str:
        """The case's folder: it must exist and be a folder in the store, not a link."""
        folder = os.path.join(self.root, check_case_id(case_id))  # os.path: audits read many
        if os.path.islink(folder):
            raise IntegrityError(
                f"{folder} is a symbolic link; a case folder must be a real folder in the store"
            )
        if not os.path.lexists(folder):
            raise CaseError(f"no case {case_id} in {self.root}")
        if not os.path.isdir(folder):
            raise IntegrityError(f"{folder} is not a folder; a case is a folder in the store")
        return folder

    def list_ids(self) -> list[str]:
        """Every case folder's ID, in order of year and number.

        A link to a folder is listed too (is_dir follows it), so that a listing shows it
        as damaged: reading it is refused.
        """
        if not self.root.is_dir():
            return []
        entries = (e for e in os.scandir(self.root) if e.is_dir())
        found = [(m, e.name) for e in entries if (m := _ID_RE.fullmatch(e.name))]
        found.sort(key=lambda pair: (int(pair[0][1]), int(pair[0][2])))
        return [name for _, name in found]

    def _existing(self, case_id: str) -> Path:
        return Path(self._real_folder(case_id))

    # --- writing -------------------------------------------------------------------------

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
        self._ensure_root()
        with locked(self.root / LOCK, f"the case store {self.root}", self.lock_timeout):
            now = self._clock()
            case_id = self._next_id(now.year)
            body = to_body(
                {"type": "case_opened", "case_id": case_id, "incident_ref": incident_ref}
                | {"occurred": occurred, "location": location, "clips": list(clips)}
                | {"policy": policy, "notes": notes}
            )
            folder = self.root / case_id
            try:
                make_dir(folder)
            except FileExistsError:
                raise CaseError(f"{folder} already exists; the store is inconsistent") from None
            with locked(folder / LOCK, f"case {case_id}", self.lock_timeout):
                event = self._write(folder, actor, body, None, now)
        assert isinstance(event, CaseOpenedEvent)
        return event

    def append(self, case_id: str, actor: Actor, body: Body | Mapping[str, Any]) -> Event:
        """Record one event on a case and return it as stored (seq, at, prev, hash filled)."""
        payload = to_body(body)
        if isinstance(payload, CaseOpened):
            raise CaseError("a case is opened with create(), not appended to")
        folder = self._existing(case_id)
        with locked(folder / LOCK, f"case {case_id}", self.lock_timeout):
            scan = self._scan(folder, case_id)
            if not scan.verification.ok:
                problem = scan.verification.problem
                raise IntegrityError(f"case {case_id}: will not append to a damaged log: {problem}")
            return self._write(folder, actor, payload, scan, self._clock())

    def _write(
        self, folder: Path, actor: Actor, body: Body, scan: LogScan | None, at: dt.datetime
    ) -> Event:
        last = scan.events[-1] if scan else None
        seq, prev = (last.seq + 1, last.hash) if last else (1, ZERO_HASH)
        check_signed_head(folder.name, body, prev)
        refuse_hidden_text(body, actor)
        event = build_event(seq, at, actor, prev, body)
        if scan and scan.complete < scan.size:
            truncate(folder / LOG, scan.complete)
        replace_file(folder / HEAD, Head(seq=seq - 1, hash=prev, pending=event.hash).to_bytes())
        append_line(folder / LOG, event_line(event))
        replace_file(folder / HEAD, Head(seq=seq, hash=event.hash).to_bytes())
        return event

    def _ensure_root(self) -> None:
        if not self.root.is_dir():
            self.root.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # another process made it first
                make_dir(self.root)

    def _next_id(self, year: int) -> str:
        matches = (_ID_RE.fullmatch(name) for name in self.list_ids())
        numbers = [int(m[2]) for m in matches if m and int(m[1]) == year]
        return f"BWV-{year:04d}-{max(numbers, default=0) + 1:04d}"

    # --- reading -------------------------------------------------------------------------

    def _scan(self, folder: Path | str, case_id: str) -> LogScan:
        log, head = os.path.join(folder, LOG), os.path.join(folder, HEAD)
        return scan_log(case_id, read_bytes(log), read_bytes(head))

    def verify_and_read(self, case_id: str) -> tuple[Verification, list[Event]]:
        """One pass: the verdict and the events that checked out (all of them if ok)."""
        folder = self._real_folder(case_id)
        with locked(os.path.join(folder, LOCK), f"case {case_id}", self.lock_timeout, shared=True):
            scan = self._scan(folder, case_id)
        return scan.verification, scan.events

    def verify(self, case_id: str) -> Verification:
        return self.verify_and_read(case_id)[0]

    def read(self, case_id: str) -> list[Event]:
        """Every event of a case, checked; IntegrityError if the log fails verification."""
        verdict, events = self.verify_and_read(case_id)
        if not verdict.ok:
            raise IntegrityError(f"case {case_id} fails verification: {verdict.problem}")
        return events

    def iter_events(self, case_id: str) -> Iterator[Event]:
        """Stream a case's events, checking each; IntegrityError at the first bad one.

        The case ID is checked at once; a shared lock is held until the stream ends.
        """
        return self._stream(self._existing(case_id), case_id)

    def _stream(self, folder: Path, case_id: str) -> Iterator[Event]:
        with locked(folder / LOCK, f"case {case_id}", self.lock_timeout, shared=True):
            chain = Chain(case_id)
            try:
                with open(folder / LOG, "rb") as fh:
                    for raw in fh:
                        if not raw.endswith(b"\n"):
                            break  # a torn write, never acknowledged
                        yield chain.check(raw[:-1])
            except FileNotFoundError:
                pass
            except BadEvent as bad:
                raise IntegrityError(f"case {case_id} fails verification: {bad.problem}") from None
            verdict = finish(chain, parse_head(read_bytes(folder / HEAD)), [])
            if not verdict.ok:
                raise IntegrityError(f"case {case_id} fails verification: {verdict.problem}")
