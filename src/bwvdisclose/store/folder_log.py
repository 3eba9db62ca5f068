"""The folder store's store-wide log: `<root>/storelog/`, one leaf a line.

    storelog/origin   `bwvdisclose/<random store ID>` and a newline, written once
    storelog/leaves   one leaf per line (`{"case":..,"head":..,"seq":..}`, see base.leaf_data)
    storelog/.lock    held while leaves are appended

Lines are only ever appended, each commit with one write and an fsync; a torn final line
(a write that never finished) is ignored by readers and cut off by the next writer.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bwvdisclose.errors import IntegrityError
from bwvdisclose.store import files
from bwvdisclose.store.base import LogEntry

LOG_DIR, LEAVES, ORIGIN, LOCK = "storelog", "leaves", "origin", ".lock"
_LINE = re.compile(
    rb'\{"case":"(BWV-\d{4}-(?:\d{4}|[1-9]\d{4,}))","head":"([0-9a-f]{64})","seq":([1-9]\d{0,17})\}'
)
_ORIGIN = re.compile(r"bwvdisclose/[0-9a-f]{32}\n", re.ASCII)


def missing_log(root: Path) -> str:
    """Why a store with cases but no store-wide log is not written to, and what to do."""
    return (
        f"{root} has cases but no store-wide log ({LOG_DIR}/): it was removed, or a version "
        "before the log wrote the store. Nothing was written. Check the cases (`bwvdisclose "
        "audit verify`, with your last checkpoint), then `bwvdisclose store adopt-log` gives "
        "the store a log from its cases as they stand"
    )


def _bad_line(path: Path, line: bytes) -> IntegrityError:
    shown = line[:80].decode("utf-8", "replace")
    return IntegrityError(
        f"{path}: a line is not a leaf as the store writes it ({shown!r}): the store-wide "
        "log was written outside the store; nothing was written (`bwvdisclose audit verify`)"
    )


class FolderLog:
    def __init__(self, root: Path, lock_timeout: float) -> None:
        self.dir = root / LOG_DIR
        self.leaves = self.dir / LEAVES
        self.lock_timeout = lock_timeout
        self._seen, self._ids = 0, set[str]()

    def exists(self) -> bool:
        return os.path.lexists(self.dir)

    def origin(self) -> str | None:
        data = files.read_bytes(self.dir / ORIGIN) if self.exists() else None
        if data is None:
            return None
        text = data.decode("ascii", "replace")
        if not _ORIGIN.fullmatch(text):
            raise IntegrityError(f"{self.dir / ORIGIN} is not as the store writes it")
        return text[:-1]

    def create(self, leaves: Sequence[bytes]) -> None:
        """Make the log with these first leaves (store lock held), whole or not at all."""
        root = self.dir.parent
        tmp = root / f".storelog-new-{os.getpid()}"
        files.remove_tree(tmp)
        try:
            files.make_dir(tmp)
            origin = f"bwvdisclose/{secrets.token_hex(16)}\n".encode()
            files.write_new(tmp / ORIGIN, origin)
            files.write_new(tmp / LEAVES, b"".join(leaf + b"\n" for leaf in leaves))
            files.write_new(tmp / LOCK, b"")
            files.fsync_dir(tmp)
            files.rename(tmp, self.dir)
            files.fsync_dir(root)
        except BaseException:
            files.remove_tree(tmp)
            raise

    def read(self) -> tuple[list[LogEntry], int]:
        """Every leaf, and the size in bytes of the complete lines (a torn tail is left out)."""
        data = files.read_bytes(self.leaves)
        if data is None:
            if self.exists():
                raise IntegrityError(f"{self.leaves} is missing: the store-wide log was removed")
            return [], 0
        complete = data.rfind(b"\n") + 1
        entries = []
        for n, line in enumerate(data[:complete].split(b"\n")[:-1]):
            m = _LINE.fullmatch(line)
            if m is None:
                raise IntegrityError(
                    f"{self.leaves}: line {n + 1} is not a leaf as the store writes it"
                )
            entries.append(LogEntry(n, m[1].decode(), int(m[3]), m[2].decode()))
        return entries, complete

    @contextmanager
    def locked(self) -> Iterator[None]:
        with files.locked(self.dir / LOCK, "the store-wide log", self.lock_timeout, create=False):
            yield

    def size_on_disk(self) -> int:
        try:
            return os.lstat(self.leaves).st_size
        except FileNotFoundError:
            raise IntegrityError(
                f"{self.leaves} is missing: the store-wide log was removed"
            ) from None

    def append(self, leaves: Sequence[bytes], *, durable: bool = True) -> int:
        """Append leaves (log lock held), cutting a torn tail first; returns the old size."""
        size = self.size_on_disk()
        complete = self._complete_size(size, check=True)
        if complete < size:
            files.truncate(self.leaves, complete)
        try:
            data = b"".join(leaf + b"\n" for leaf in leaves)
            files.append_line(self.leaves, data, durable=durable)
        except BaseException:
            self.cut(complete)
            raise
        return complete

    def _complete_size(self, size: int, check: bool = False) -> int:
        """Where the last complete line ends, reading only the file's tail; with `check`,
        that last line must be a leaf as the store writes it (else IntegrityError)."""
        if size == 0:
            return 0
        fd = files.open_file(self.leaves, os.O_RDONLY)
        try:
            start = max(0, size - 4096)
            tail = os.pread(fd, size - start, start)
        finally:
            os.close(fd)
        end = tail.rfind(b"\n")
        if end >= 0:
            last = tail[:end].rsplit(b"\n", 1)[-1]
            if check and not _LINE.fullmatch(last):
                raise _bad_line(self.leaves, last)
            return start + end + 1
        data = files.read_bytes(self.leaves) or b""
        return data.rfind(b"\n", 0, size) + 1

    def issued(self) -> set[str]:
        """Every case ID the log names (read once, then only what was appended since)."""
        size = self.size_on_disk()
        if size < self._seen:
            self._seen, self._ids = 0, set()
        if size > self._seen:
            fd = files.open_file(self.leaves, os.O_RDONLY)
            try:
                chunk = os.pread(fd, size - self._seen, self._seen)
            finally:
                os.close(fd)
            complete = chunk.rfind(b"\n") + 1
            for line in chunk[:complete].split(b"\n")[:-1]:
                leaf = _LINE.fullmatch(line)
                if leaf is None:
                    raise _bad_line(self.leaves, line)
                self._ids.add(leaf[1].decode())
            self._seen += complete
        return self._ids

    def cut(self, size: int) -> None:
        """Take back what was appended after `size` bytes (log lock held); never raises."""
        try:
            if self.size_on_disk() > size:
                files.truncate(self.leaves, size)
        except (OSError, IntegrityError):
            pass

    def contains(self, case_id: str, seq: int, head: str) -> bool:
        from bwvdisclose.store.base import leaf_data

        data = files.read_bytes(self.leaves) or b""
        leaf = leaf_data(case_id, seq, head) + b"\n"
        return data.startswith(leaf) or b"\n" + leaf in data
