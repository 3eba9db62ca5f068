"""Stores of every backend for the shared store tests: each test runs once per backend.

In the manner of the eventsourcing library's shared recorder test cases: the tests in
test_backends.py name only the `CaseStore` interface, and the `any_store` fixture hands
them a folder store and a PostgreSQL store (a fresh database on the session's
throwaway server) in turn. The folder-only tests use the case tests' fixtures
(people, a ticking clock, a `store`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bwvdisclose.store.base import CaseStore
from tests.case.conftest import Clock, clock, store

__all__ = ["clock", "store"]  # the case tests' fixtures, shared with the store tests

BACKENDS = ["folder", "postgresql"]

# Make another store on the same backing (a second process or user of the same store).
Reopen = Callable[..., CaseStore]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def reopen(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Reopen]:
    """A factory of store objects that all open the one store of this test."""
    made: list[CaseStore] = []
    folder = str(tmp_path / "store")
    location = folder if backend == "folder" else str(request.getfixturevalue("pg_url"))

    def make(**kw: object) -> CaseStore:
        from bwvdisclose.store import open_store

        kw.setdefault("lock_timeout", 5.0)
        store = open_store(location, **kw)  # type: ignore[arg-type]
        made.append(store)
        return store

    yield make
    for each in made:
        close = getattr(each, "close", None)
        if close:
            close()


@pytest.fixture
def any_store(reopen: Reopen) -> CaseStore:
    return reopen(clock=Clock())
