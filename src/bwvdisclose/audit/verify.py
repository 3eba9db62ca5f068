"""Verify a whole store: every case's hash chain, sign-off signatures and record files.

For each case, one at a time (see scan.py):
  1. the hash chain and HEAD (`CaseStore.verify_and_read`), then the log's grammar (`fold`);
  2. every sign-off (trust/signoff.py): its signed statement (case, head, role,
     certificate, outcome, policy) verifies with the certificate's key, the signer named
     in the log is the certificate's, and the certificate chains to a trust root at
     signing time in that role; every decision names an intact approval of its policy
     version by a policy owner trusted at decision time (trust/approval.py);
  3. every `record_rendered` file under `<case>/records/`: its size and SHA-256 equal
     the event's. A changed or replaced file is a failure. A missing file is a note
     (the log still proves what the record said, and a copy kept elsewhere can be
     checked against its hash), or a failure with `require_records`.
Each failure names the case and the first bad event, or the record file. A signature
that is intact but not trusted is reported apart ("not trusted"): the case fails then too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

from bwvdisclose.audit.policies import PolicyVersions
from bwvdisclose.audit.scan import map_cases
from bwvdisclose.audit.storelog import (
    LogIndex,
    case_against_log,
    checkpoint_problems,
    read_index,
    store_problems,
)
from bwvdisclose.case import Event, RecordRenderedEvent
from bwvdisclose.case.verify import UNCOMMITTED
from bwvdisclose.conformance import UNCHECKED, PolicyLookup, Problem, check_log
from bwvdisclose.errors import BwvError
from bwvdisclose.store import CaseStore, open_store
from bwvdisclose.store.base import PARTIAL
from bwvdisclose.store.checkpoint import SignedCheckpoint, Verifier
from bwvdisclose.trust.approval import check_decisions
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import TrustRoots
from bwvdisclose.trust.signoff import check_signoffs


@dataclass(frozen=True)
class CaseCheck:
    """The verdict on one case: what failed (each naming where), and harmless notes."""

    case_id: str
    events: int
    failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    untrusted: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.failures

    @property
    def ok(self) -> bool:
        return not self.failures and not self.untrusted


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

    @property
    def intact(self) -> bool:
        """No case is broken (some may still be not trusted), nor the store-wide log."""
        return all(check.intact for check in self.failed) and not self.store_failures

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
    checker: TrustChecker | None = None,
    policies: PolicyLookup | None = None,
) -> CaseCheck:
    """Check one case completely; never raises for a bad case, only reports it.

    With `index` (the store-wide log, read once) the case must also agree with its leaves.
    Signatures are trusted only through `checker`'s roots (none: nothing is trusted).
    Each event must be one the tool would have accepted where it stands
    (conformance.py), each recommendation evaluated under the policy version it names,
    found through `policies` (default: the shipped versions); a version not found
    leaves the case not trusted rather than broken.
    """
    checker = checker or TrustChecker(TrustRoots())
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
    meaning: list[Problem] = []
    if verdict.ok and events:
        try:
            meaning = check_log(events, policies or shipped_policies())
        except BwvError as exc:
            failures.append(str(exc))
    failures += [f"{case_id}: {p}" for p in meaning if p.kind != UNCHECKED]
    findings = [*check_signoffs(events, checker), *check_decisions(events, checker)]
    failures += [f"{case_id}: {f.text}" for f in findings if f.kind == "broken"]
    untrusted = tuple(
        [f"{case_id}: {f.text}" for f in findings if f.kind == "untrusted"]
        + [f"{case_id}: {p}" for p in meaning if p.kind == UNCHECKED]
    )
    found, missing = _record_problems(store, case_id, events, require_records)
    failures += [f"{case_id}: {p}" for p in found]
    notes += missing
    return CaseCheck(case_id, len(events), tuple(failures), tuple(notes), untrusted)


@cache
def shipped_policies() -> PolicyVersions:
    """The policy versions shipped in criteria/, loaded once per process."""
    return PolicyVersions().load()


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
    roots: TrustRoots | None = None,
    workers: int | None = None,
    require_records: bool = False,
    progress: Callable[[CaseCheck], None] | None = None,
    checkpoint: SignedCheckpoint | None = None,
    verifier: Verifier | None = None,
    policies: PolicyVersions | None = None,
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
    checker = TrustChecker(roots or TrustRoots())
    versions = (policies or PolicyVersions()).load()  # before the workers fork
    task = partial(
        verify_case, store, require_records=require_records, index=index, checker=checker,
        policies=versions,
    )  # fmt: skip
    prefetch = partial(store.prefetch, records=True)  # every record file is hashed
    for check in map_cases(task, case_ids, workers, prefetch):
        summary.add(check)
        if progress:
            progress(check)
    return summary
