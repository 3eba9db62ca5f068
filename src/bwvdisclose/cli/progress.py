"""A progress bar on stderr at a terminal; nothing at all when not a terminal (pipes, CI)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

REFRESH = 0.1  # seconds between redraws


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[], None]]:
    """Yield a `step()` to call once per item done.

    The bar redraws from `step()` itself, with no refresh thread, so the audit's worker
    processes can be forked while it is showing.
    """
    console = Console(stderr=True)
    if not console.is_terminal or total <= 0:
        yield lambda: None
        return
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        auto_refresh=False,
        transient=True,
    )
    task = bar.add_task(label, total=total)
    shown = [0.0]

    def step() -> None:
        bar.advance(task)
        now = time.monotonic()
        if now - shown[0] >= REFRESH:
            bar.refresh()
            shown[0] = now

    with bar:
        yield step


BIG_FILE = 64 * 1024 * 1024  # files at least this large show a bar while they are read


@contextmanager
def bytes_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield `done(bytes_so_far)` for reading one file; a bar at a terminal for big files."""
    console = Console(stderr=True)
    if not console.is_terminal or total < BIG_FILE:
        yield lambda _done: None
        return
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        auto_refresh=False,
        transient=True,
    )
    task = bar.add_task(label, total=total)
    shown = [0.0]

    def done(so_far: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= REFRESH or so_far >= total:
            bar.update(task, completed=so_far)
            bar.refresh()
            shown[0] = now

    with bar:
        yield done
