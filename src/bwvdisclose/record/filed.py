"""The decision records filed in a case, as its log names them, each checked against the log.

Any store (a folder, or PostgreSQL where no one can browse a `records/` folder) hands a
record out only through here: the case's log is verified first, and a record's bytes
are compared with the size and SHA-256 its `record_rendered` event holds, so a file
that was changed, replaced or lost is reported and never passed on as the record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bwvdisclose.case import RecordRenderedEvent
from bwvdisclose.errors import RecordError
from bwvdisclose.store import CaseStore
from bwvdisclose.store.files import make_dir, write_new


@dataclass(frozen=True)
class Filed:
    """One record the case log names, with the bytes the store holds for it (None: none)."""

    event: RecordRenderedEvent
    data: bytes | None

    @property
    def state(self) -> str:
        """`ok` (the bytes the log names), `missing`, or `differs` (changed or replaced)."""
        if self.data is None:
            return "missing"
        same = len(self.data) == self.event.size
        return (
            "ok"
            if same and hashlib.sha256(self.data).hexdigest() == self.event.sha256
            else "differs"
        )


def filed_records(store: CaseStore, case_id: str) -> list[Filed]:
    """Every record the case's log names, oldest first; the log must verify (IntegrityError)."""
    return [
        Filed(e, store.read_record(case_id, e.file))
        for e in store.read(case_id)
        if isinstance(e, RecordRenderedEvent)
    ]


def export(filed: Filed, folder: Path) -> Path:
    """Copy a record that is as logged into `folder` (made 0700 if missing), file 0600.

    Never overwrites: a file of that name already there is left alone, and is an error
    unless it is the very same bytes.
    """
    if filed.state != "ok" or filed.data is None:
        raise RecordError(f"record {filed.event.file} is {filed.state}; it is not exported")
    if not folder.is_dir():
        make_dir(folder)
    target = folder / filed.event.file
    try:
        write_new(target, filed.data)
    except FileExistsError:
        if target.is_file() and target.read_bytes() == filed.data:
            return target
        raise RecordError(f"{target} already exists and differs; choose another --out") from None
    return target
