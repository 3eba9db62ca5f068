"""Reading a file a person named on the command line: a regular file, and a bounded read.

Every route that reads a file named by its user (trust roots, keys, checkpoints,
verifier keys, answers and policy files, records to verify, footage clips) opens it
here. The file is opened without blocking (a named pipe with no writer would otherwise
wait for ever) and refused unless it is a regular file: a pipe, a device such as
/dev/zero, a socket or a folder is named as such. A read is capped at the caller's
documented limit (README, "Limits"): the size is checked before reading, and at most
limit + 1 bytes are read, so a file that grows while it is read is refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bwvdisclose.errors import BwvError, InputError

MIB = 1024 * 1024


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _an(what: str) -> str:
    return f"an {what}" if what[:1].lower() in "aeiou" else f"a {what}"


@contextmanager
def opened(path: Path | str, what: str, error: type[BwvError] = InputError) -> Iterator[int]:
    """A read-only descriptor on the regular file at `path`; `error` names what is wrong.

    O_NONBLOCK makes opening a named pipe return at once (so it can be refused); it is
    cleared again for the read, which on a regular file never blocks anyway.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise error(f"{path}: not a file (a folder); {_an(what)} must be a file") from None
        raise error(f"{path}: cannot read the {what}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{path}: not a file ({_kind(mode)}); {_an(what)} must be a file")
        os.set_blocking(fd, True)
        yield fd
    finally:
        os.close(fd)


def read_input(
    path: Path | str, what: str, limit: int, error: type[BwvError] = InputError
) -> bytes:
    """The bytes of the regular file at `path`, refused (by `error`) beyond `limit` bytes."""
    too_large = f"{path}: too large for {_an(what)} (limit {limit} bytes)"
    with opened(path, what, error) as fd:
        if os.fstat(fd).st_size > limit:
            raise error(too_large)
        chunks, size = [], 0
        try:
            while size <= limit and (chunk := os.read(fd, min(limit + 1 - size, MIB))):
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise error(f"{path}: cannot read the {what}: {exc.strerror}") from None
    if size > limit:
        raise error(too_large)
    return b"".join(chunks)
