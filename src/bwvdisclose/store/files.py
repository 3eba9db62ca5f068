"""Durable file operations for the folder store: locks with a timeout, appends, atomic replace.

Case files hold personal data, so every file is created 0600 and every folder 0700.

Every change to the disk passes through `write_point(op, path)` first: the one seam
where a test injects a fault (a full disk, an I/O error, or a crash: the process killed)
at each write in turn, as SQLite's test harness does. In use it does nothing.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from bwvdisclose.errors import CaseError, IntegrityError, LockError

FILE_MODE = 0o600
DIR_MODE = 0o700
NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC

# The fault-injection seam: called as hook(op, path) before each write; it may raise
# OSError (ENOSPC, EIO) or end the process. None in use.
fault_hook: Callable[[str, str], None] | None = None


def write_point(op: str, path: str | Path) -> None:
    """Every write to a store passes here first (see the module's doc)."""
    if fault_hook is not None:
        fault_hook(op, str(path))


def open_file(path: str | Path, flags: int, mode: int = FILE_MODE) -> int:
    """os.open that refuses a symbolic link or anything but a regular file in the store.

    A case file replaced by a link (to a log outside the store, say) or by a folder is
    refused with an IntegrityError naming it, never followed.
    """
    try:
        fd = os.open(path, flags | NOFOLLOW, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IntegrityError(f"{path} is a symbolic link; refusing to follow it") from None
        if exc.errno == errno.EISDIR:
            raise IntegrityError(f"{path} is a folder, not a file") from None
        raise
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        what = "a folder, not a file" if stat.S_ISDIR(kind) else "not a regular file"
        raise IntegrityError(f"{path} is {what}")
    return fd


@contextmanager
def locked(
    path: str | Path, what: str, timeout: float, *, shared: bool = False, create: bool = True
) -> Iterator[None]:
    """Hold an flock on `path` (exclusive, or shared for readers), waiting up to `timeout` s.

    Writers create the lock file (unless `create` is false: then a missing one is an
    IntegrityError); readers only lock it if it exists, so reading never writes.
    Raises LockError naming `what` when the wait runs out.
    """
    try:
        if not shared and create and not os.path.lexists(path):
            write_point("create", path)
        flags = os.O_RDONLY if shared else os.O_RDWR | (os.O_CREAT if create else 0)
        fd = open_file(path, flags)
    except FileNotFoundError:
        if not shared:
            if not create:
                raise IntegrityError(f"{path} is missing: {what} is damaged") from None
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
    write_point("mkdir", path)
    os.mkdir(path, DIR_MODE)
    os.chmod(path, DIR_MODE)  # whatever the umask
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    write_point("fsync", path)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes, path: str | Path) -> None:
    view = memoryview(data)
    while view:
        write_point("write", path)
        view = view[os.write(fd, view) :]


def append_line(path: Path, line: bytes, *, durable: bool = True) -> None:
    """Append whole lines with a single write on an O_APPEND descriptor, then fsync."""
    created = not path.exists()
    write_point("open", path)
    fd = open_file(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        write_point("write", path)
        written = os.write(fd, line)
        if written != len(line):
            raise CaseError(f"{path}: short write ({written} of {len(line)} bytes); not recorded")
        if durable:
            write_point("fsync", path)
            os.fsync(fd)
    finally:
        os.close(fd)
    if created and durable:
        fsync_dir(path.parent)


def truncate(path: Path, length: int) -> None:
    """Cut a file back to `length` bytes (dropping a torn final line) and fsync it."""
    write_point("truncate", path)
    fd = open_file(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, length)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Create `path` (FileExistsError if anything has that name), write `data`, fsync."""
    write_point("create", path)
    fd = open_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        _write_all(fd, data, path)
        if durable:
            write_point("fsync", path)
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def replace_file(path: Path, data: bytes, *, done_at_rename: bool = False) -> None:
    """Atomically replace `path`: temp file 0600, fsync, rename over, fsync the folder.

    Call with the folder's lock held: the temp name is fixed. A temp file left by a
    crash (or anything else by that name) is removed, never written through.
    `done_at_rename`: the rename is the commit, so a failure to sync the folder after it
    is not an error (a write whose loss a later write repairs, as HEAD's is).
    """
    tmp = path.with_name(path.name + ".tmp")
    unlink(tmp)
    write_new(tmp, data)
    rename(tmp, path)
    try:
        fsync_dir(path.parent)
    except OSError:
        if not done_at_rename:
            raise


def rename(src: Path, dst: Path) -> None:
    write_point("rename", dst)
    os.replace(src, dst)


def link(src: Path, dst: Path) -> None:
    """Give the file `src` the new name `dst`; FileExistsError if `dst` exists (never replaced)."""
    write_point("link", dst)
    os.link(src, dst, follow_symlinks=False)


def unlink(path: Path) -> None:
    """Remove a file; nothing to do if it is not there."""
    if os.path.lexists(path):
        write_point("unlink", path)
        with suppress(FileNotFoundError):
            os.unlink(path)


def remove_tree(path: Path) -> None:
    """Remove a private work folder (never a case folder); nothing to do if it is not there."""
    if os.path.lexists(path):
        write_point("rmtree", path)
        shutil.rmtree(path, ignore_errors=True)


def read_bytes(path: str | Path) -> bytes | None:
    """The whole file, or None if it does not exist. (os-level: audits read many files.)"""
    try:
        fd = open_file(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        chunks, size = [], os.fstat(fd).st_size
        while chunk := os.read(fd, max(size, 65536)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
