"""The bulk path into a case store: build a whole case in memory, write it once.

`EventChain` builds a new case's events with the store's own envelope and hashing
(`build_event`); `write_case` checks them with the verifier's own `Chain` and writes
`events.jsonl`, `HEAD` and `.lock` into a private folder that is renamed into place
under the store lock, so a case appears whole or not at all. For imports and synthetic
stores: thousands of cases without an fsync per event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bwvdisclose.case.events import ZERO_HASH, CaseOpenedEvent, Event, build_event, event_line
from bwvdisclose.case.payloads import Actor, Body, CaseOpened
from bwvdisclose.case.verify import BadEvent, Chain, Head
from bwvdisclose.errors import CaseError, IntegrityError
from bwvdisclose.store.base import check_case_id, check_signed_head, leaf_data
from bwvdisclose.store.base import to_body as _to_body
from bwvdisclose.store.files import DIR_MODE, FILE_MODE, fsync_dir, locked, replace_file
from bwvdisclose.store.folder import HEAD, LOCK, LOG, FolderStore, record_path


class EventChain:
    """A new case's events, built in memory one at a time; `head` is what a signer signs."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    @property
    def head(self) -> str:
        return self.events[-1].hash if self.events else ZERO_HASH

    def add(self, at: dt.datetime, actor: Actor, body: Body | Mapping[str, Any]) -> Event:
        """Append `body` as the next event; the first must open the case, and only the first."""
        payload = _to_body(body)
        if isinstance(payload, CaseOpened) != (not self.events):
            raise CaseError("a case starts with case_opened, and has only one")
        case_id = payload.case_id if isinstance(payload, CaseOpened) else self.case_id
        check_signed_head(case_id, payload, self.head)
        event = build_event(len(self.events) + 1, at, actor, self.head, payload)
        self.events.append(event)
        return event

    @property
    def case_id(self) -> str:
        first = self.events[0] if self.events else None
        if not isinstance(first, CaseOpenedEvent):
            raise CaseError("the case is not opened yet")
        return first.case_id


def checked_lines(events: Sequence[Event]) -> tuple[str, bytes, Head]:
    """The case ID, the log's bytes and its HEAD, once the verifier accepts every line."""
    first = events[0] if events else None
    if not isinstance(first, CaseOpenedEvent):
        raise CaseError("a case to write must start with its case_opened event")
    case_id = check_case_id(first.case_id)
    chain, lines = Chain(case_id), [event_line(e) for e in events]
    try:
        for line in lines:
            chain.check(line[:-1])
    except BadEvent as bad:
        raise IntegrityError(f"case {case_id}: will not write a bad log: {bad.problem}") from None
    return case_id, b"".join(lines), Head(seq=chain.seq, hash=chain.hash)


def write_case(
    store: FolderStore,
    events: Sequence[Event],
    records: Mapping[str, bytes] | None = None,
    *,
    durable: bool = True,
) -> Path:
    """Write a whole new case at once, with any record files; return its folder.

    CaseError if the ID is taken. Files are 0600 in 0700 folders, as with appends.
    `durable=False` skips the fsyncs, for a store built in bulk and synced once at the
    end (see `sync_store`).
    """
    case_id, log, head = checked_lines(events)
    store._ensure_root()
    root = store.root
    tmp = root / f".import-{case_id}-{os.getpid()}"
    with locked(root / LOCK, f"the case store {root}", store.lock_timeout):
        store._ensure_log()
        folder = root / case_id
        if os.path.lexists(folder) or case_id in store.log.issued():
            raise CaseError(f"case {case_id} already exists in {root}, or did once")
        # Durable: HEAD marks the case uncommitted until its leaf is in the store-wide log.
        first = Head(seq=0, hash=ZERO_HASH, pending=head.hash) if durable else head
        try:
            os.mkdir(tmp, DIR_MODE)
            os.chmod(tmp, DIR_MODE)
            for name, data in ((LOG, log), (HEAD, first.to_bytes()), (LOCK, b"")):
                _write_new(tmp / name, data, durable)
            _write_records(tmp, records or {}, durable)
            if durable:
                fsync_dir(tmp)
            os.rename(tmp, folder)
        finally:
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(tmp)
        if durable:
            fsync_dir(root)
        try:
            with store.log.locked():
                store.log.append([leaf_data(case_id, head.seq, head.hash)], durable=durable)
        except BaseException:
            store._discard(folder)
            raise
        if durable:
            replace_file(folder / HEAD, head.to_bytes())
    return folder


def _write_records(folder: Path, records: Mapping[str, bytes], durable: bool) -> None:
    if not records:
        return
    os.mkdir(folder / "records", DIR_MODE)
    os.chmod(folder / "records", DIR_MODE)
    for name, data in records.items():
        _write_new(record_path(folder, name), data, durable)
    if durable:
        fsync_dir(folder / "records")


def _write_new(path: Path, data: bytes, durable: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def sync_store() -> None:
    """Flush written cases to disk once, after many `write_case(..., durable=False)`."""
    os.sync()
