"""What an insider with write access to a folder store can do: rewrite a case so that its
hash chain and HEAD are consistent again, and (if they know of it) the store-wide log too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bwvdisclose.case.events import EVENT_ADAPTER, ZERO_HASH, Event, event_hash, event_line
from bwvdisclose.case.verify import Head
from bwvdisclose.store.base import leaf_data
from bwvdisclose.store.folder import FolderStore

Edit = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def rewrite_case(store: FolderStore, case_id: str, edit: Edit, *, log_too: bool) -> list[Event]:
    """Apply `edit` to the case's events (as dicts), re-chain and re-hash them, write the
    log and HEAD; with `log_too`, also rewrite the case's leaves in the store-wide log."""
    fields = [e.model_dump(mode="json") for e in store.read(case_id)]
    prev, events = ZERO_HASH, []
    for seq, f in enumerate(edit(fields), start=1):
        f = {**f, "seq": seq, "prev": prev}
        if f["type"] == "signoff_recorded":
            f["head"] = prev
        f["hash"] = event_hash(f)
        prev = f["hash"]
        events.append(EVENT_ADAPTER.validate_python(f))
    folder = store.case_dir(case_id)
    (folder / "events.jsonl").write_bytes(b"".join(event_line(e) for e in events))
    (folder / "HEAD").write_bytes(Head(seq=len(events), hash=prev).to_bytes())
    if log_too:
        leaves_file = store.root / "storelog" / "leaves"
        lines = leaves_file.read_bytes().splitlines(keepends=True)
        out = []
        for line in lines:
            if f'"case":"{case_id}"'.encode() in line:
                seq = min(int(line.rsplit(b'"seq":', 1)[1].rstrip(b"}\n")), len(events))
                line = leaf_data(case_id, seq, events[seq - 1].hash) + b"\n"
            out.append(line)
        leaves_file.write_bytes(b"".join(out))
    return events


def path_of(store: FolderStore) -> Path:
    return store.root
