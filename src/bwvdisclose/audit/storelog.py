"""A store's cases against its store-wide log, and the log against a signed checkpoint.

Without a checkpoint: every case must be in the log and agree with every leaf the log
holds for it (a leaf names a case's head after a commit: `seq` events, the last hashed
`head`), and every case the log names must be in the store. So a case rewritten,
truncated, deleted or added outside the store fails, naming it, unless whoever did it
also rewrote the log to match.

With a checkpoint (`store/checkpoint.py`): the log today must extend the tree the
checkpoint signed, shown by an RFC 9162 consistency proof. Rewriting the log to match a
changed case then fails too: only someone holding the store key could sign a new
checkpoint, and the auditor keeps the old one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bwvdisclose.case import Event
from bwvdisclose.case.verify import UNCOMMITTED, Verification
from bwvdisclose.errors import BwvError, InputError, IntegrityError
from bwvdisclose.store import CaseStore
from bwvdisclose.store.base import LogEntry
from bwvdisclose.store.checkpoint import (
    Checkpoint,
    SignedCheckpoint,
    Signer,
    Verifier,
    sign_checkpoint,
)
from bwvdisclose.store.merkle import (
    ProofError,
    consistency_proof,
    leaf_hash,
    tree_hash,
    verify_consistency,
)

Leaves = dict[str, list[tuple[int, str]]]
NO_LOG = (
    "the store has cases but no store-wide log: it was removed, or a version before the log "
    "wrote the store. Check the cases (with your last checkpoint), then `bwvdisclose store "
    "adopt-log` gives it a log from its cases as they stand"
)
K = TypeVar("K")


@dataclass(frozen=True)
class LogIndex:
    """What the store-wide log says about each case (None: the store has no log)."""

    leaves: Leaves | None
    entries: list[LogEntry]
    problems: tuple[str, ...] = ()


def read_index(store: CaseStore) -> LogIndex:
    try:
        if store.log_origin() is None:
            return LogIndex(None, [])
        entries = store.log_entries()
    except BwvError as exc:
        return LogIndex(None, [], (f"the store-wide log cannot be read: {exc}",))
    leaves: Leaves = {}
    for e in entries:
        leaves.setdefault(e.case_id, []).append((e.seq, e.head))
    return LogIndex(leaves, entries)


def store_problems(index: LogIndex, case_ids: Iterable[str]) -> list[str]:
    """Failures of the store as a whole: no log, or cases the log names that are gone."""
    if index.problems:
        return list(index.problems)
    present = set(case_ids)
    if index.leaves is None:
        if not present:
            return []
        return [NO_LOG]
    return [
        f"{case_id}: in the store-wide log ({leaves[-1][0]} events) but not in the store: "
        "the case was deleted"
        for case_id, leaves in index.leaves.items()
        if case_id not in present
    ]


def case_against_log(
    case_id: str,
    verdict: Verification,
    events: Sequence[Event],
    leaves: Sequence[tuple[int, str]] | None,
) -> tuple[list[str], list[str]]:
    """(failures, notes) comparing one case's committed events with its leaves."""
    if leaves is None:
        if UNCOMMITTED in verdict.notes:
            return [], []
        return ["not in the store-wide log: the case was added outside the store"], []
    hashes = [e.hash for e in events] + list(verdict.pending)
    for seq, head in leaves:
        if seq <= len(hashes) and hashes[seq - 1] != head:
            return [
                f"event {seq} is not the one the store-wide log recorded: the case was rewritten"
            ], []
    failures: list[str] = []
    notes: list[str] = []
    recorded = max((seq for seq, _ in leaves), default=0)
    if recorded > len(hashes) and verdict.ok:
        return [
            f"the store-wide log records {recorded} events but the case has {len(hashes)}: "
            "events were removed"
        ], []
    if recorded > len(events):
        notes.append(
            f"events {len(events) + 1} to {recorded} are committed but HEAD does not name them "
            "yet (an interrupted write): the next write to the case settles it"
        )
    last = leaves[-1][0] if leaves else 0
    if verdict.ok and len(events) > last:
        which = (
            f"event {last + 1}"
            if len(events) == last + 1
            else f"events {last + 1} to {len(events)}"
        )
        failures.append(f"{which} not in the store-wide log: added outside the store")
    return failures, notes


def checkpoint_problems(
    store: CaseStore, index: LogIndex, signed: SignedCheckpoint, verifier: Verifier | None
) -> list[str]:
    """Why the store's log does not extend `signed` (none if it does)."""
    point = signed.checkpoint
    problems: list[str] = []
    if verifier is not None:
        try:
            signed.check_signature(verifier)
        except BwvError as exc:
            problems.append(str(exc))
    origin = store.log_origin()
    if origin != point.origin:
        return [
            *problems,
            f"the checkpoint is of log {point.origin}, not this store's ({origin}): the "
            "checkpoint is of another store, or this store's log was replaced since (removed "
            "and adopted again from the cases left); cases deleted or rewritten before that "
            "cannot be named",
        ]
    size = len(index.entries)
    if size < point.size:
        return [
            *problems,
            f"the store-wide log has {size} entries, fewer than the {point.size} checkpointed: "
            "entries were removed",
        ]
    hashes = [leaf_hash(e.data()) for e in index.entries]
    try:
        proof = consistency_proof(hashes, point.size, size)
        verify_consistency(point.size, size, point.root, tree_hash(hashes), proof)
    except ProofError as exc:
        problems.append(
            f"the store-wide log does not extend the checkpoint of {point.size} entries "
            f"({exc}): entries before it were rewritten, reordered or removed"
        )
    return problems


def make_checkpoint(store: CaseStore, signer: Signer, now: dt.datetime) -> str:
    """Sign the store-wide log as it is now; a store without one is refused, not adopted."""
    origin = store.log_origin()
    if origin is None:
        raise IntegrityError(f"no checkpoint: {NO_LOG}")
    entries = store.log_entries()
    root = tree_hash([leaf_hash(e.data()) for e in entries])
    point = Checkpoint(origin, len(entries), root, now.astimezone(dt.UTC).replace(microsecond=0))
    return sign_checkpoint(point, signer)


def read_key_file(path: Path, store_location: str, parse: Callable[[str], K], what: str) -> K:
    """A key from a small text file; a store key inside the store folder is refused."""
    try:
        inside = Path(store_location).resolve() in path.resolve().parents
    except OSError:
        inside = False
    if inside:
        raise InputError(
            f"{path}: the {what} must be kept outside the store folder "
            "(whoever can write the store must not hold it)"
        )
    try:
        text = path.read_bytes()[:4096].decode("ascii")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as a {what}: {exc}") from None
    try:
        return parse(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def one_case_against_log(
    store: CaseStore, case_id: str, verdict: Verification, events: Sequence[Event]
) -> list[str]:
    """`verify CASE`'s check against the store-wide log: its failures (none if it agrees)."""
    index = read_index(store)
    if index.problems:
        return list(index.problems)
    if index.leaves is None:
        # A case folder copied out on its own (say, for an investigator): nothing to compare
        # it with. `audit verify` fails a store that has cases but no log, and writes refuse it.
        return []
    return case_against_log(case_id, verdict, events, index.leaves.get(case_id))[0]
