"""Case stores: one interface, backends side by side.

base.py    CaseStore, the interface the workflow uses (transact, open_case, file_record,
           verify_and_read, ...), and what every backend shares
folder.py  FolderStore: a folder per case, flock and fsync (files.py: the file layer,
           with the fault-injection seam every write passes through)
bulk.py    writing whole cases at once into a folder store (imports, synthetic stores)

`open_store(location)` picks the backend for a `--store` value.
"""

from __future__ import annotations

from pathlib import Path

from bwvdisclose.store.base import (
    Build,
    CaseStore,
    Filed,
    RecordBuild,
    check_case_id,
    record_file_name,
)


def open_store(location: str | Path | CaseStore, *, lock_timeout: float | None = None) -> CaseStore:
    """The store at `location`: a folder path (the folder backend); a store as it is."""
    from bwvdisclose.store.folder import FolderStore

    if isinstance(location, CaseStore):
        return location
    if lock_timeout is None:
        return FolderStore(Path(location))
    return FolderStore(Path(location), lock_timeout=lock_timeout)


__all__ = [
    "Build",
    "CaseStore",
    "Filed",
    "RecordBuild",
    "check_case_id",
    "open_store",
    "record_file_name",
]
