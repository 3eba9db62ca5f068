"""Verify a whole store: every case's hash chain, sign-off signatures and record files.

For each case, one at a time (see scan.py):
  1. the hash chain and HEAD (`CaseStore.verify_and_read`), then the log's grammar (`fold`);
  2. every sign-off: `head` equals the event's `prev`, the fingerprint is the
     certificate's, and the signature verifies over `head` with the certificate's key;
  3. every `record_rendered` file under `<case>/records/`: its size and SHA-256 equal
     the event's. A changed or replaced file is a failure. A missing file is a note
     (the log still proves what the record said, and a copy kept elsewhere can be
     checked against its hash), or a failure with `require_records`.
Each failure names the case and the first bad event, or the record file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from bwvdisclose.audit.scan import map_cases
from bwvdisclose.audit.storelog import (
    LogIndex,
    case_against_log,
    checkpoint_problems,
    read_index,
    store_problems,
)
from bwvdisclose.case import Event, RecordRenderedEvent, SignoffRecordedEvent, fold
from bwvdisclose.case.verify import UNCOMMITTED
from bwvdisclose.errors import BwvError
from bwvdisclose.signing import cert_fingerprint, load_cert_pem, verify_head_signature
from bwvdisclose.store import CaseStore, open_store
from bwvdisclose.store.base import PARTIAL
from bwvdisclose.store.checkpoint import SignedCheckpoint, Verifier


@dataclass(frozen=True)
class CaseCheck:
    """The verdict on one case: what failed (each naming where), and harmless notes."""

    case_id: str
    events: int
    failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class VerifySummary:
    checked: int = 0
    passed: int = 0
    failed: list[CaseCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    store_failures: list[str] = field(default_factory=list)  # not of one case in the store

    @property
    def ok(self) -> bool:
        return not self.failed and not self.store_failures

    def add(self, check: CaseCheck) -> None:
        self.checked += 1
        self.passed += check.ok
        self.notes += [f"{check.case_id}: {note}" for note in check.notes]
        if not check.ok:
            self.failed.append(check)


def verify_case(
    store: CaseStore,
    case_id: str,
    require_records: bool = False,
    index: LogIndex | None = None,
) -> CaseCheck:
    """Check one case completely; never raises for a bad case, only reports it.

    With `index` (the store-wide log, read once) the case must also agree with its leaves.
    """
    try:
        verdict, events = store.verify_and_read(case_id)
    except BwvError as exc:
        return CaseCheck(case_id, 0, (f"{case_id}: {exc}",))
    failures, notes = [], list(verdict.notes)
    if index is not None and index.leaves is not None:
        found, said = case_against_log(case_id, verdict, events, index.leaves.get(case_id))
        failures += [f"{case_id}: {p}" for p in found]
        notes += said
    if not verdict.ok and UNCOMMITTED in verdict.notes:
        notes.append(verdict.problem or "")  # a crash inside `new`: settled by the next `new`
    elif not verdict.ok:
        problem = (verdict.problem or "").removeprefix(f"event {verdict.bad_seq}: ")
        failures.append(f"{case_id}: event {verdict.bad_seq}: {problem}")
    elif events:
        try:
            fold(events)
        except BwvError as exc:
            failures.append(str(exc))
    failures += [f"{case_id}: {p}" for p in _signature_problems(events)]
    found, missing = _record_problems(store, case_id, events, require_records)
    failures += [f"{case_id}: {p}" for p in found]
    notes += missing
    return CaseCheck(case_id, len(events), tuple(failures), tuple(notes))


def _signature_problems(events: list[Event]) -> Iterator[str]:
    for e in events:
        if not isinstance(e, SignoffRecordedEvent):
            continue
        who = f"event {e.seq}: the {e.role} sign-off by {e.signer.name}"
        if e.head != e.prev:
            yield f"{who} signs {e.head[:12]}, not the head it follows ({e.prev[:12]})"
        elif _fingerprint(e.certificate) != e.fingerprint:
            yield f"{who} names a fingerprint that is not its certificate's"
        elif not verify_head_signature(e.certificate, e.head, e.signature, e.algorithm):
            yield f"{who} does not verify: the signature is not over this head by this key"


@lru_cache(maxsize=256)
def _fingerprint(pem: str) -> str:
    try:
        return cert_fingerprint(load_cert_pem(pem))
    except BwvError:
        return ""


def _record_problems(
    store: CaseStore, case_id: str, events: list[Event], require: bool
) -> tuple[list[str], list[str]]:
    failures: list[str] = []
    notes: list[str] = []
    named = set()
    for e in events:
        if not isinstance(e, RecordRenderedEvent):
            continue
        named.add(e.file)
        where = f"record {e.file} (event {e.seq})"
        try:
            data = store.read_record(case_id, e.file)
        except BwvError as exc:
            failures.append(f"{where}: {exc}")
            continue
        except OSError as exc:
            failures.append(f"{where}: cannot be read: {exc.strerror}")
            continue
        if data is None:
            (failures if require else notes).append(f"{where}: the file is missing")
            continue
        digest, size = hashlib.sha256(data).hexdigest(), len(data)
        if digest != e.sha256 or size != e.size:
            failures.append(
                f"{where}: the file differs from the one recorded ({size} bytes, "
                f"sha256 {digest[:12]}; recorded {e.size} bytes, {e.sha256[:12]}): "
                "changed or replaced"
            )
    try:
        present = store.record_names(case_id)
    except BwvError as exc:
        return [*failures, str(exc)], notes
    for name in present:
        base = name.removeprefix(PARTIAL)
        if name in named:
            continue
        if base != name and base in named:
            notes.append(f"record {base} was left under {name} by an interrupted `record`")
        elif base != name:
            notes.append(f"{name}: an unfinished record left by an interrupted `record`")
        else:
            failures.append(f"record file {name}: no event of the case names it")
    return failures, notes


def verify_store(
    root: Path | CaseStore,
    *,
    workers: int | None = None,
    require_records: bool = False,
    progress: Callable[[CaseCheck], None] | None = None,
    checkpoint: SignedCheckpoint | None = None,
    verifier: Verifier | None = None,
) -> VerifySummary:
    """Verify every case in the store at `root`, streaming; the summary keeps only failures.

    The cases are checked against the store-wide log, and the log against `checkpoint`
    if one is given (its signature with `verifier`, if given).
    """
    store = open_store(root)
    summary = VerifySummary()
    index = read_index(store)
    case_ids = store.list_ids()
    summary.store_failures += store_problems(index, case_ids)
    if checkpoint is not None:
        summary.store_failures += checkpoint_problems(store, index, checkpoint, verifier)
    task = partial(verify_case, store, require_records=require_records, index=index)
    prefetch = partial(store.prefetch, records=True)  # every record file is hashed
    for check in map_cases(task, case_ids, workers, prefetch):
        summary.add(check)
        if progress:
            progress(check)
    return summary
