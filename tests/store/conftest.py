"""The store tests share the case tests' fixtures (people, a ticking clock, a store)."""

from tests.case.conftest import clock, store

__all__ = ["clock", "store"]
