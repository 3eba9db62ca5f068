"""Hardening fixtures: a store to fail against, and what a clean refusal looks like.

Every malformed input must give one `error:` line (exit 1) or click's one `Error:` line
(exit 2), never a traceback or an internal error (exit 70), and must leave every stored
case byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bwvdisclose.cli.main import cli
from tests.flow.conftest import ENV, INTAKE, Signed, decide, new_case
from tests.flow.conftest import keys as keys  # session fixtures, reused
from tests.flow.conftest import signed as signed

CORPUS = Path(__file__).parent / "corpus"
__all__ = ["CORPUS", "ENV", "INTAKE"]


def run(*args: str, env: dict[str, str | None] | None = None, input: str | None = None) -> Result:
    """The CLI in-process; an exception escaping it fails the test with its traceback."""
    full: dict[str, str | None] = {**ENV, "BWVDISCLOSE_DEBUG": None, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=full, input=input, catch_exceptions=False)


def assert_refused(result: Result, code: int | tuple[int, ...] = (1, 2), *needles: str) -> None:
    """Exit 1 with one `error:` line first, or exit 2 with click's one `Error:` line."""
    codes = (code,) if isinstance(code, int) else code
    out, err = result.stdout, result.stderr
    shown = f"exit {result.exit_code}\n--- stdout\n{out}\n--- stderr\n{err}"
    assert result.exit_code in codes, shown
    assert "Traceback" not in out + err, shown
    assert "internal error" not in err, shown
    lines = err.splitlines()
    if result.exit_code == 1:
        assert lines and lines[0].startswith("error: "), shown
        assert sum(line.startswith("error:") for line in lines) == 1, shown
    else:
        assert sum(line.startswith("Error: ") for line in lines) == 1, shown
    for needle in needles:
        assert needle in err, f"{needle!r} not in the message\n{shown}"


def tree_digest(root: Path) -> str:
    """SHA-256 over every entry under root: path, kind, mode, and bytes or link target."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted([*dirs, *files]):
            path = Path(folder) / name
            info = path.lstat()
            digest.update(f"{path.relative_to(root)}\0{stat.filemode(info.st_mode)}\0".encode())
            if stat.S_ISLNK(info.st_mode):
                digest.update(os.readlink(path).encode())
            elif stat.S_ISREG(info.st_mode):
                digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Store:
    """A store holding a signed, recorded case and a decided case awaiting sign-offs."""

    root: Path
    signed: str
    decided: str


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, signed: Signed) -> Store:
    root = tmp_path_factory.mktemp("corpus") / "store"
    shutil.copytree(signed.store, root, symlinks=True)
    decided = new_case(root)
    decide(root, decided)
    return Store(root, signed.case_id, decided)


@pytest.fixture
def unchanged(corpus_store: Store):  # type: ignore[no-untyped-def]
    """Fails the test if anything under the store changed while it ran."""
    before = tree_digest(corpus_store.root)
    yield corpus_store
    assert tree_digest(corpus_store.root) == before, "the store changed"
