"""Case stores: one interface, backends side by side.

base.py    CaseStore, the interface the workflow uses (transact, open_case, file_record,
           verify_and_read, ...), and what every backend shares
folder.py  FolderStore: a folder per case, flock and fsync (files.py: the file layer,
           with the fault-injection seam every write passes through)
bulk.py    writing whole cases at once into a folder store (imports, synthetic stores)
postgres/  PostgresStore: the same store in a PostgreSQL database (schema, roles, `store init`)

`open_store(location)` picks the backend for a `--store` value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bwvdisclose.errors import CaseError
from bwvdisclose.store.base import (
    Build,
    CaseStore,
    Filed,
    RecordBuild,
    check_case_id,
    record_file_name,
)


def open_store(
    location: str | Path | CaseStore,
    *,
    lock_timeout: float | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    must_exist: bool = False,
) -> CaseStore:
    """The store at `location`: a `postgresql://` URL (the PostgreSQL backend), else a
    folder path (the folder backend); a store as it is. With `must_exist`, a folder that
    is not there is a CaseError (a database store is checked when first used)."""
    from bwvdisclose.store.postgres.connect import is_postgres_url

    if isinstance(location, CaseStore):
        return location
    options: dict[str, Any] = {}
    if lock_timeout is not None:
        options["lock_timeout"] = lock_timeout
    if clock is not None:
        options["clock"] = clock
    if is_postgres_url(location):
        from bwvdisclose.store.postgres.store import PostgresStore

        return PostgresStore(str(location), **options)
    from bwvdisclose.store.folder import FolderStore

    if must_exist and not Path(location).is_dir():
        raise CaseError(f"no case store at {location}")
    return FolderStore(Path(location), **options)


__all__ = [
    "Build",
    "CaseStore",
    "Filed",
    "RecordBuild",
    "check_case_id",
    "open_store",
    "record_file_name",
]
