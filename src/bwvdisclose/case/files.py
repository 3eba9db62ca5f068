"""Durable file operations for the case store: locks with a timeout, appends, atomic replace.

Case files hold personal data, so every file is created 0600 and every folder 0700.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bwvdisclose.errors import CaseError, LockError

FILE_MODE = 0o600
DIR_MODE = 0o700


@contextmanager
def locked(path: str | Path, what: str, timeout: float, *, shared: bool = False) -> Iterator[None]:
    """Hold an flock on `path` (exclusive, or shared for readers), waiting up to `timeout` s.

    Writers create the lock file; readers only lock it if it exists, so reading never
    writes. Raises LockError naming `what` when the wait runs out.
    """
    try:
        fd = os.open(path, os.O_RDONLY if shared else os.O_RDWR | os.O_CREAT, FILE_MODE)
    except FileNotFoundError:
        if not shared:
            raise
        yield
        return
    try:
        _acquire(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, what, timeout)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, mode: int, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockError(
                    f"{what} is locked by another process (waited {timeout:g} s); try again"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.01)


def make_dir(path: Path) -> None:
    """Create one folder 0700; fail if it exists (exclusive creation)."""
    os.mkdir(path, DIR_MODE)
    os.chmod(path, DIR_MODE)  # whatever the umask
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append_line(path: Path, line: bytes) -> None:
    """Append one complete line with a single write on an O_APPEND descriptor, then fsync."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        written = os.write(fd, line)
        if written != len(line):
            raise CaseError(f"{path}: short write ({written} of {len(line)} bytes); not recorded")
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def truncate(path: Path, length: int) -> None:
    """Cut a file back to `length` bytes (dropping a torn final line) and fsync it."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, length)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes) -> None:
    """Atomically replace `path`: temp file 0600, fsync, rename over, fsync the folder.

    Call with the folder's lock held: the temp name is fixed.
    """
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def read_bytes(path: str | Path) -> bytes | None:
    """The whole file, or None if it does not exist. (os-level: audits read many files.)"""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        chunks, size = [], os.fstat(fd).st_size
        while chunk := os.read(fd, max(size, 65536)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
