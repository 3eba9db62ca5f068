"""Footage fingerprints: a clip file's name, size and SHA-256, read in one streamed pass.

A clip reference says which footage was meant; a fingerprint says which bytes were
assessed. Files are read in 4 MiB chunks into one reused buffer, so memory stays flat
however large the file; a caller may pass `progress(done_bytes)` to show how far it got.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from bwvdisclose.case.payloads import FootageFingerprinted
from bwvdisclose.errors import CaseError
from bwvdisclose.inputfile import opened

CHUNK = 4 * 1024 * 1024
MAX_NAME = 255


class FootageError(CaseError):
    """A clip file that cannot be read or named."""


def fingerprint(path: Path, progress: Callable[[int], None] | None = None) -> FootageFingerprinted:
    """The name, size in bytes and SHA-256 of the regular file at `path`."""
    name = path.name
    if not name or len(name) > MAX_NAME:
        raise FootageError(f"{str(path)[:200]}: not a file name the record can show")
    with (
        opened(path, "clip file", FootageError) as fd,
        open(fd, "rb", buffering=0, closefd=False) as f,
    ):
        size, digest = _digest(f, progress)
    return FootageFingerprinted(name=name, size=size, sha256=digest)


def _digest(f: io.FileIO, progress: Callable[[int], None] | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    size = 0
    while n := f.readinto(buffer):
        digest.update(view[:n])
        size += n
        if progress is not None:
            progress(size)
    return size, digest.hexdigest()


def size_of(path: Path) -> int:
    """The file's size now (for a progress bar; the fingerprint counts what it reads)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise FootageError(f"{path}: no such clip file") from None


def match(prints: Sequence[FootageFingerprinted], digest: str) -> FootageFingerprinted | None:
    return next((f for f in prints if f.sha256 == digest), None)
