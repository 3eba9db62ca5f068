"""Running one check over every case of a store, one case in memory at a time.

`map_cases(task, case_ids, workers)` yields `task(case_id)` for each case in store
order. With more than one worker it forks a pool: each worker reads one case at a
time and sends back only the small result, so memory stays flat as the store grows.
The task is handed to the workers when they start (inherited by fork, never pickled),
so it may hold a loaded policy; results must be picklable.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from bwvdisclose.case import CaseState, fold
from bwvdisclose.errors import BwvError
from bwvdisclose.store import CaseStore

R = TypeVar("R")
PARALLEL_FROM = 400  # below this many cases a pool costs more than it saves
CHUNK = 16

_task: Callable[[str], Any] | None = None
_prefetch: Callable[[Sequence[str]], None] | None = None


def default_workers(cases: int) -> int:
    """Two workers for a large store on a machine with two or more cores, else one."""
    return 1 if cases < PARALLEL_FROM else max(1, min(2, os.cpu_count() or 1))


def map_cases(
    task: Callable[[str], R],
    case_ids: Sequence[str],
    workers: int | None = None,
    prefetch: Callable[[Sequence[str]], None] | None = None,
) -> Iterator[R]:
    """`task(case_id)` for every case, in order; `workers` None picks by store size.

    The cases go out in chunks; `prefetch(chunk)` (a store's `prefetch`) is called before
    a chunk is worked through, so a database store can read the chunk in one query.
    """
    count = default_workers(len(case_ids)) if workers is None else max(1, workers)
    chunks = [case_ids[i : i + CHUNK] for i in range(0, len(case_ids), CHUNK)]
    if count == 1 or len(case_ids) < 2:
        for chunk in chunks:
            yield from _chunk(task, prefetch, chunk)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(count, initializer=_start, initargs=(task, prefetch)) as pool:
        for results in pool.imap(_run, chunks):
            yield from results


def _chunk(
    task: Callable[[str], R], prefetch: Callable[[Sequence[str]], None] | None, chunk: Sequence[str]
) -> list[R]:
    if prefetch is not None:
        prefetch(chunk)
    return [task(case_id) for case_id in chunk]


def _start(task: Callable[[str], Any], prefetch: Callable[[Sequence[str]], None] | None) -> None:
    global _task, _prefetch
    # Ctrl-C reaches every process of the terminal's group: the parent stops the pool and
    # says so once; a worker must not print its own traceback as it is ended.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _task, _prefetch = task, prefetch


def _run(chunk: Sequence[str]) -> list[Any]:
    assert _task is not None, "worker started without a task"
    return _chunk(_task, _prefetch, chunk)


def read_state(store: CaseStore, case_id: str) -> CaseState | str:
    """The case's folded state, or why it cannot be trusted (one line, naming the case)."""
    verdict, events = store.verify_and_read(case_id)
    if not verdict.ok:
        return f"{case_id}: fails verification at event {verdict.bad_seq}: {verdict.problem}"
    try:
        return fold(events)
    except BwvError as exc:
        return f"{case_id}: {exc}"
