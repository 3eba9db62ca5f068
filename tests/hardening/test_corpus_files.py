"""Files a person names that are not what they should be, on every route that reads one.

A named pipe (reading it would wait for ever), a device (/dev/null here; /dev/zero in
the memory-capped process below), or a file far over its route's size limit, given as a
trust root, a record to verify, a footage clip, a checkpoint, a verifier key, a store
key, a signing key or a record to extend: each is refused with one message naming the
file and what it is, exit 1, without reading it and without changing the store.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bwvdisclose.audit.storelog import make_checkpoint
from bwvdisclose.store import open_store
from bwvdisclose.store.checkpoint import new_signer
from tests.flow.conftest import PASS_ENV

from .conftest import ENV, Store, assert_refused, run

HUGE = 65 * 1024 * 1024  # over every route's limit (records: 64 MiB)


@pytest.fixture(scope="session")
def kept(tmp_path_factory: pytest.TempPathFactory, corpus_store: Store) -> dict[str, Path]:
    """A good checkpoint of the corpus store and its verifier key, kept outside it."""
    folder = tmp_path_factory.mktemp("kept")
    signer = new_signer("corpus-store")
    (folder / "checkpoint.txt").write_text(make_checkpoint(open_store(str(corpus_store.root)),
                                                           signer, _now()))  # fmt: skip
    (folder / "verifier.pub").write_text(signer.verifier.text() + "\n")
    return {"checkpoint": folder / "checkpoint.txt", "verifier": folder / "verifier.pub"}


def _now():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.now(dt.UTC)


Route = Callable[[Store, Path, Path, dict[str, Path]], list[str]]

ROUTES: dict[str, Route] = {
    "verify CASE --trust": lambda s, p, t, k: ["verify", s.signed, "--trust", str(p),
                                               "--store", str(s.root)],
    "verify FILE.pdf": lambda s, p, t, k: ["verify", str(p)],
    "verify CASE --clip": lambda s, p, t, k: ["verify", s.signed, "--clip", str(p),
                                              "--store", str(s.root)],
    "audit verify --checkpoint": lambda s, p, t, k: ["audit", "verify", "--checkpoint", str(p),
                                                     "--store", str(s.root)],
    "audit verify --verifier": lambda s, p, t, k: ["audit", "verify", "--checkpoint",
                                                   str(k["checkpoint"]), "--verifier", str(p),
                                                   "--store", str(s.root)],
    "audit checkpoint --key": lambda s, p, t, k: ["audit", "checkpoint", "--key", str(p),
                                                  "--store", str(s.root)],
    "sign --key": lambda s, p, t, k: ["sign", s.decided, "--role", "legal", "--key", str(p),
                                      "--passphrase-env", PASS_ENV, "--store", str(s.root)],
    "record --key": lambda s, p, t, k: ["record", s.signed, "--key", str(p),
                                        "--passphrase-env", PASS_ENV, "--store", str(s.root)],
    "extend FILE.pdf": lambda s, p, t, k: ["extend", str(p), "--tsa", "http://127.0.0.1:9/",
                                           "--out", str(t / "extended.pdf")],
}  # fmt: skip


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe. If something opens it to read (and so would wait for ever), a writer
    opens and closes it after a few seconds, so that a failing test ends."""
    path = tmp_path / "given.pdf"
    os.mkfifo(path)
    done = threading.Event()

    def unblock() -> None:
        while not done.wait(5):
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError as exc:
                assert exc.errno == errno.ENXIO  # no reader: nothing is waiting on it

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    yield path
    done.set()
    thread.join()


def _device(tmp: Path) -> Path:
    path = tmp / "device.pdf"
    path.symlink_to("/dev/null")
    return path


def _huge(tmp: Path) -> Path:
    path = tmp / "huge.pdf"
    with open(path, "wb") as fh:
        fh.truncate(HUGE)  # sparse: no disk used, but a read would take 65 MiB
    return path


def _check(store: Store, tmp: Path, kept: dict[str, Path], route: str, given: Path,
           message: str) -> None:  # fmt: skip
    result = run(*ROUTES[route](store, given, tmp, kept))
    assert_refused(result, 1, f"{given}: {message}")


@pytest.mark.parametrize("route", ROUTES)
def test_a_named_pipe_is_refused_unread(
    kept: dict[str, Path], unchanged: Store, tmp_path: Path, fifo: Path, route: str
) -> None:
    _check(unchanged, tmp_path, kept, route, fifo, "not a file (a named pipe)")


@pytest.mark.parametrize("route", ROUTES)
def test_a_device_is_refused(
    kept: dict[str, Path], unchanged: Store, tmp_path: Path, route: str
) -> None:
    _check(unchanged, tmp_path, kept, route, _device(tmp_path), "not a file (a device)")


@pytest.mark.parametrize("route", [r for r in ROUTES if r != "verify CASE --clip"])
def test_a_file_over_the_limit_is_refused(
    kept: dict[str, Path], unchanged: Store, tmp_path: Path, route: str
) -> None:
    """Clips have no limit (they are streamed, never held)."""
    _check(unchanged, tmp_path, kept, route, _huge(tmp_path), "too large for")


CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
from bwvdisclose.cli.main import main
sys.argv = ["bwvdisclose", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "verify", "--checkpoint", "/dev/zero"],
        ["audit", "verify", "--checkpoint", "{checkpoint}", "--verifier", "/dev/zero"],
        ["audit", "checkpoint", "--key", "/dev/zero"],
        ["verify", "{big}"],
    ],
    ids=["checkpoint", "verifier", "store key", "3 GB record"],
)
def test_endless_or_huge_input_in_a_capped_process(
    kept: dict[str, Path], unchanged: Store, tmp_path: Path, args: list[str]
) -> None:
    """Found: MemoryError, exit 70 (internal error), under `ulimit -v 1500000`."""
    big = tmp_path / "big.pdf"
    with open(big, "wb") as fh:
        fh.truncate(3 * 1024**3)
    given = [a.format(checkpoint=kept["checkpoint"], big=big) for a in args]
    store = ["--store", str(unchanged.root)] if given[0] == "audit" else []
    done = subprocess.run(
        [sys.executable, "-c", CAPPED, *given, *store],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "not a file (a device)" in done.stderr or "too large for" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
