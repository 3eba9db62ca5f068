"""Checking a case log: line by line (form, hash, schema, sequence, chain), then against HEAD.

`Chain.check` takes one complete line and returns the validated event or raises
`BadEvent`; `check_head` compares the end of the log with the HEAD file, which the
store rewrites around every append (see store.py for the protocol).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, NoReturn

from pydantic import Field, ValidationError

from bwvdisclose.case.events import (
    EVENT_ADAPTER,
    ZERO_HASH,
    CaseOpenedEvent,
    Event,
    canonical_json,
    event_hash,
)
from bwvdisclose.case.payloads import Frozen, Hex64


@dataclass(frozen=True)
class Verification:
    """The verdict on one case log.

    `events` counts the events that checked out; `bad_seq` is the first bad event (its
    line number); `problem` says what is wrong in one sentence; `notes` tell of harmless
    leftovers of a crash; `head` is the hash of the last event when the log is ok.
    """

    case_id: str
    ok: bool
    events: int
    bad_seq: int | None = None
    problem: str | None = None
    notes: tuple[str, ...] = ()
    head: str | None = None
    pending: tuple[str, ...] = ()  # hashes of events written after `head` but not named by HEAD


class BadEvent(Exception):
    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(f"event {seq}: {problem}")
        self.seq = seq
        self.problem = f"event {seq}: {problem}"


class Head(Frozen):
    """The HEAD file: the last acknowledged event, and the hash of one being appended."""

    seq: int = Field(ge=0)
    hash: Hex64
    pending: Hex64 | None = None

    def to_bytes(self) -> bytes:
        return canonical_json(self.model_dump(exclude_none=True)) + b"\n"


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def _parse(raw: bytes, n: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
        obj, end = _DECODER.raw_decode(text)
    except UnicodeDecodeError:
        raise BadEvent(n, "not valid UTF-8") from None
    except ValueError:
        raise BadEvent(n, "not valid JSON") from None
    if end != len(text):
        raise BadEvent(n, "not valid JSON (text after the object)")
    if not isinstance(obj, dict):
        raise BadEvent(n, "not a JSON object")
    if canonical_json(obj) != raw:
        raise BadEvent(n, "not in canonical form (the line was edited by hand or another tool)")
    return obj


def _line_hash(raw: bytes, obj: dict[str, Any], claimed: str) -> str:
    """The event hash of a line already known to be canonical.

    Cutting the top-level `,"hash":"..."` member out of a canonical line leaves exactly
    the canonical JSON of the event without its hash, so no second serialisation is
    needed. (The first match is the top-level member: every key sorting before "hash"
    holds a scalar, a list of strings or the actor, whose keys the schema then checks.)
    """
    member = b',"hash":"' + claimed.encode("utf-8") + b'"'
    start = raw.find(member)
    if start < 0:
        return event_hash(obj)
    return hashlib.sha256(raw[:start] + raw[start + len(member) :]).hexdigest()


def _validate(obj: dict[str, Any], n: int) -> Event:
    try:
        event = EVENT_ADAPTER.validate_python(obj)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise BadEvent(n, f"does not fit the event schema: {loc}: {err['msg']}") from None
    if len(obj) != event.stored_fields():
        raise BadEvent(n, "not in canonical form (a field with a default is left out)")
    return event


class Chain:
    """Checks a log's lines in order, remembering the hash each next event must name."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.seq = 0
        self.hash = ZERO_HASH
        self.hashes = [ZERO_HASH]  # hashes[k] is event k's hash; [0] is what event 1 names

    def check(self, raw: bytes) -> Event:
        """Check one line (without its newline) as event seq+1; return it or raise BadEvent."""
        n = self.seq + 1
        obj = _parse(raw, n)
        claimed = obj.get("hash")
        if isinstance(claimed, str) and _line_hash(raw, obj, claimed) != claimed:
            raise BadEvent(n, "hash does not match its contents")
        event = _validate(obj, n)
        if event.seq != n:
            raise BadEvent(
                n, f"seq is {event.seq}, expected {n} (an event is missing, repeated or moved)"
            )
        if event.prev != self.hash:
            what = "64 zeros" if n == 1 else f"the hash of event {n - 1}"
            raise BadEvent(n, f"prev is not {what}: the chain is broken")
        self._check_place(event, n)
        self.seq, self.hash = n, event.hash
        self.hashes.append(event.hash)
        return event

    def _check_place(self, event: Event, n: int) -> None:
        opened = isinstance(event, CaseOpenedEvent)
        if n == 1 and not opened:
            raise BadEvent(n, f"the first event must be case_opened, not {event.type}")
        if n > 1 and opened:
            raise BadEvent(n, "case_opened may only be the first event")
        if isinstance(event, CaseOpenedEvent) and event.case_id != self.case_id:
            raise BadEvent(n, f"opens case {event.case_id}, but this is case {self.case_id}")


class HeadCheck(NamedTuple):
    problem: str | None = None
    bad_seq: int | None = None
    note: str | None = None


def check_head(chain: Chain, head: Head | None) -> HeadCheck:
    """Compare the end of the log with HEAD: a problem, or fine with perhaps a note."""
    n, hashes = chain.seq, chain.hashes
    if head is None:
        return HeadCheck("HEAD is missing or unreadable")
    if head.seq > n:
        removed = f"HEAD records {head.seq} events but the log has {n}: events were removed"
        return HeadCheck(removed, n + 1)
    if head.hash != hashes[head.seq]:
        return HeadCheck(f"HEAD does not match event {head.seq}", max(head.seq, 1))
    if head.seq == n:
        if head.pending:
            return HeadCheck(note="an append was interrupted before its event was written")
        return HeadCheck()
    if head.pending == hashes[n]:
        which = f"event {n}" if head.seq == n - 1 else f"events {head.seq + 1} to {n}"
        return HeadCheck(note=f"HEAD lags the log by {which} (an interrupted append)")
    outside = "not recorded in HEAD: added outside the store"
    if head.seq == n - 1:
        return HeadCheck(f"event {n} is {outside}", n)
    return HeadCheck(f"events {head.seq + 1} to {n} are {outside}", head.seq + 1)


def parse_head(raw: bytes | None) -> Head | None:
    """The HEAD file, or None when it is missing or not exactly as the store writes it."""
    if raw is None:
        return None
    try:
        head = Head.model_validate_json(raw)
    except ValidationError:
        return None
    return head if head.to_bytes() == raw else None


@dataclass(frozen=True)
class LogScan:
    """One pass over a log: the verdict, the good events, and where complete lines end.

    `events` are the committed events (HEAD names the last); `pending` are events of an
    append that was interrupted before HEAD named them (the store decides at its next
    write whether they were committed to the store-wide log: see store/folder.py).
    """

    verification: Verification
    events: list[Event]
    complete: int  # bytes up to the last newline; anything after is a torn write
    size: int
    head: Head | None = None
    pending: tuple[Event, ...] = ()


def scan_log(case_id: str, data: bytes | None, head_raw: bytes | None) -> LogScan:
    """Check a whole log (and its HEAD file) held in memory."""
    data = data or b""
    complete = data.rfind(b"\n") + 1
    notes: list[str] = []
    if complete < len(data):
        notes.append(torn_note(len(data) - complete))
    chain, events = Chain(case_id), []
    try:
        for raw in data[:complete].split(b"\n")[:-1]:
            events.append(chain.check(raw))
    except BadEvent as bad:
        verdict = Verification(case_id, False, chain.seq, bad.seq, bad.problem, tuple(notes))
        return LogScan(verdict, events, complete, len(data))
    head = parse_head(head_raw)
    verdict = finish(chain, head, notes)
    if verdict.ok and head is not None and head.seq < len(events):
        pending = tuple(events[head.seq :])
        hashes = tuple(e.hash for e in pending)
        verdict = replace(verdict, events=head.seq, head=head.hash, pending=hashes)
        return LogScan(verdict, events[: head.seq], complete, len(data), head, pending)
    return LogScan(verdict, events, complete, len(data), head)


UNCOMMITTED = "an interrupted `new`: the store removes it at the next `new`"


def torn_note(size: int) -> str:
    return f"ignored an incomplete final line ({size} bytes): a write that never finished"


def finish(chain: Chain, head: Head | None, notes: list[str]) -> Verification:
    """The verdict once every complete line checked out: the log must not be empty, and HEAD."""
    case_id, n = chain.case_id, chain.seq
    if n == 0:
        problem = "the log has no events (events.jsonl is missing or empty)"
        return Verification(case_id, False, 0, 1, problem, tuple(notes))
    checked = check_head(chain, head)
    if checked.problem is None and head is not None and head.seq == 0:
        problem = "the case was never committed (a `new` was interrupted)"
        return Verification(case_id, False, 0, 1, problem, (*notes, UNCOMMITTED))
    notes += [checked.note] if checked.note else []
    ok = checked.problem is None
    last = chain.hash if ok else None
    return Verification(case_id, ok, n, checked.bad_seq, checked.problem, tuple(notes), last)
