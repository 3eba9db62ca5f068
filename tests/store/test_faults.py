"""Faults at every write, as SQLite's test harness does it (issue 9).

Every write the folder store makes passes `store.files.write_point`. For each operation
(`new`, an answer with its recommendation, filing a record) and each write point N in
turn, a fresh copy of a store:

- gets a full disk (OSError ENOSPC) at write N: the operation must fail, and leave the
  store verifying with exactly what it held before (nothing the user was told failed,
  no empty case folder); the same operation then succeeds;
- has its writer killed (os._exit) at write N, in a forked child: the store must verify
  and hold either everything the operation writes or nothing of it, and take writes
  afterwards.
The loop ends at the first N the operation gets through without reaching.
Found on the old code: a full disk during `assess --answer` kept the answer though the
command failed, without its recommendation; `new` on a full disk left an empty folder.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from bwvdisclose.answers import Answer
from bwvdisclose.audit.verify import verify_store
from bwvdisclose.case import Actor, Event, RecordRendered
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.models import Policy
from bwvdisclose.store import files
from bwvdisclose.store.folder import FolderStore
from tests.conftest import KeyFiles, env_checker, signed_case

OFFICER = Actor(name="PC Jane Smith", role="duty officer", number="PC1234")
WHEN = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)
CASE = "BWV-2026-0001"
PDF = b"%PDF-1.7 a record"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(None)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, policy: Policy, key_files: KeyFiles) -> Path:
    """A case decided (do not publish) and signed off, so that a record may be filed."""
    root = tmp_path_factory.mktemp("faults") / "store"
    case_id = signed_case(Cases(FolderStore(root), policy), OFFICER, key_files)
    assert case_id.endswith("-0001"), case_id  # the tests name it CASE
    return root


def _answer(store: FolderStore, policy: Policy) -> None:
    answers = {"force.shown": Answer(value=True, rationale="Baton drawn")}
    Cases(store, policy).apply(store.list_ids()[0], OFFICER, answers, "Seen again")


def _new(store: FolderStore, policy: Policy) -> None:
    Cases(store, policy).open(OFFICER, Intake("CAD 2", WHEN, "Mall", ["c2"]))


def _record(store: FolderStore, policy: Policy) -> None:
    def build(events: Sequence[Event], name: str) -> RecordRendered:
        digest = hashlib.sha256(PDF).hexdigest()
        return RecordRendered(file=name, sha256=digest, size=len(PDF), head=events[-1].hash)

    store.file_record(store.list_ids()[0], OFFICER, PDF, build)


OPS: dict[str, Callable[[FolderStore, Policy], None]] = {
    "new": _new,
    "answer": _answer,
    "record": _record,
}


def _snapshot(store: FolderStore) -> tuple[object, ...]:
    """What a reader sees: cases, their committed events, the log, the record files."""
    ids = store.list_ids()
    events = {c: [(e.type, getattr(e, "question", "")) for e in store.read(c)] for c in ids}
    records = {c: _records(store, c) for c in ids}
    return ids, events, [e.data() for e in store.log_entries()], records


def _records(store: FolderStore, case_id: str) -> list[str]:
    """The record files as readers find them: a record still under its `.partial-` name
    (killed after logging it) counts; an unfinished one no event names does not."""
    named = {e.file for e in store.read(case_id) if isinstance(e, RecordRendered)}
    names = store.record_names(case_id)
    partial = {n.removeprefix(".partial-") for n in names if n.startswith(".partial-")}
    return sorted({n for n in names if not n.startswith(".")} | (partial & named))


def _assert_verifies(root: Path) -> None:
    summary = verify_store(root, require_records=True, roots=env_checker().roots)
    problems = summary.store_failures + [f for c in summary.failed for f in c.failures]
    assert summary.ok, problems


class Fault:
    """Count write points; at the nth, do `act`."""

    def __init__(self, n: int, act: Callable[[str, str], None]) -> None:
        self.n, self.act, self.seen = n, act, 0

    def __call__(self, op: str, path: str) -> None:
        self.seen += 1
        if self.seen == self.n:
            self.act(op, path)


def _points(op: str, copy: Callable[[], FolderStore], policy: Policy) -> Iterator[int]:
    """1, 2, ... up to the number of write points the operation passes."""
    counter = Fault(0, lambda *_: None)
    files.fault_hook = counter
    try:
        OPS[op](copy(), policy)
    finally:
        files.fault_hook = None
    assert counter.seen >= 5, counter.seen
    yield from range(1, counter.seen + 1)


@pytest.fixture
def copy(template: Path, tmp_path: Path) -> Callable[[], FolderStore]:
    """Each call: a fresh copy of the template store, in a folder of its own."""
    n_copy = iter(range(10_000))

    def make() -> FolderStore:
        target = tmp_path / f"s{next(n_copy)}"
        shutil.copytree(template, target, symlinks=True)
        return FolderStore(target)

    return make


def _full_disk(op: str, path: str) -> None:
    raise OSError(errno.ENOSPC, "No space left on device (injected)", path)


@pytest.mark.parametrize("op", OPS)
def test_a_full_disk_at_every_write_leaves_nothing_behind(
    op: str, copy: Callable[[], FolderStore], policy: Policy
) -> None:
    for n in _points(op, copy, policy):
        store = copy()
        before = _snapshot(store)
        files.fault_hook = Fault(n, _full_disk)
        try:
            OPS[op](store, policy)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            assert _snapshot(store) == before, f"write point {n}: something stayed behind"
            assert not [p for p in store.root.iterdir() if p.name.startswith(".new-")]
            _assert_verifies(store.root)
            OPS[op](store, policy)  # space again: the same operation goes through
        else:  # only a folder sync after the commit may fail unreported
            assert _snapshot(store) != before
        finally:
            files.fault_hook = None
        _assert_verifies(store.root)


def _killed_at(n: int, op: str, store: FolderStore, policy: Policy) -> bool:
    """Run `op` in a child killed at write point n; True if the child finished first."""
    pid = os.fork()
    if pid == 0:
        files.fault_hook = Fault(n, lambda *_: os._exit(137))
        try:
            OPS[op](store, policy)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("op", OPS)
def test_a_writer_killed_at_every_write_leaves_all_or_nothing(
    op: str, copy: Callable[[], FolderStore], policy: Policy
) -> None:
    done = copy()
    OPS[op](done, policy)
    after = _snapshot(done)
    for n in _points(op, copy, policy):
        store = copy()
        before = _snapshot(store)
        finished = _killed_at(n, op, store, policy)
        assert not finished, f"write point {n} was never reached"
        _assert_verifies(store.root)
        # a later write settles an interrupted one; then it is all or nothing
        _answer_again(store, policy)
        _assert_verifies(store.root)
        now = _snapshot(store)
        assert _same_shape(now, before) or _same_shape(now, after), (n, now, before, after)


def _answer_again(store: FolderStore, policy: Policy) -> None:
    """Any write to the first case (and a `new`), which settles what a crash left."""
    Cases(store, policy).open(OFFICER, Intake("CAD 9", WHEN, "Strand", ["c9"]))
    Cases(store, policy).apply(
        store.list_ids()[0],
        OFFICER,
        {"challenge.setting": Answer(value="protest", rationale="Seen on the clip")},
        None,
    )


def _same_shape(now: tuple[object, ...], then: tuple[object, ...]) -> bool:
    """`now` is `then` plus only what _answer_again added (a new case; an answer to
    challenge.setting, perhaps with its recommendation): no part of a write alone."""
    ids_now, events_now, _, records_now = now  # type: ignore[misc]
    ids_then, events_then, _, records_then = then  # type: ignore[misc]
    if len(ids_now) != len(ids_then) + 1 or ids_now[: len(ids_then)] != ids_then:
        return False
    first = ids_now[0]
    mine = events_now[first]
    cut = mine.index(("answer_recorded", "challenge.setting"))
    return bool(mine[:cut] == events_then[first] and records_now[first] == records_then[first])
