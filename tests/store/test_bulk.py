"""The bulk path: a case built in memory and written once, with the store's guarantees."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bwvdisclose.case.events import ZERO_HASH
from bwvdisclose.errors import CaseError, IntegrityError
from bwvdisclose.store.bulk import EventChain, record_path, write_case
from bwvdisclose.store.folder import FolderStore
from tests.case.conftest import OFFICER, START, answer, build_log, every_kind, opened, signoff


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_case_verifies_and_reads_back(store: FolderStore) -> None:
    events = build_log(every_kind())
    folder = write_case(store, events, {"BWV-2024-0001-record.pdf": b"%PDF-1.4 test"})
    assert store.verify("BWV-2024-0001").ok
    assert store.read("BWV-2024-0001") == events
    assert _mode(folder) == 0o700 and _mode(folder / "records") == 0o700
    for name in ("events.jsonl", "HEAD", ".lock", "records/BWV-2024-0001-record.pdf"):
        assert _mode(folder / name) == 0o600, name
    assert [p.name for p in store.root.iterdir() if p.name.startswith(".import")] == []


def test_a_written_case_takes_appends(store: FolderStore) -> None:
    write_case(store, build_log([opened(), answer("a.b", True)]), durable=True)
    event = store.append("BWV-2024-0001", OFFICER, answer("c.d", False))
    assert event.seq == 3 and store.verify("BWV-2024-0001").ok


def test_refuses_a_taken_id(store: FolderStore) -> None:
    write_case(store, build_log([opened()]))
    with pytest.raises(CaseError, match="already exists"):
        write_case(store, build_log([opened(), answer("a.b", True)]))
    assert len(store.read("BWV-2024-0001")) == 1


def test_refuses_a_bad_chain_and_writes_nothing(store: FolderStore) -> None:
    events = build_log([opened(), answer("a.b", True), answer("c.d", True)])
    forged = events[1].model_copy(update={"value": False})  # hash no longer matches
    with pytest.raises(IntegrityError, match="event 2: hash does not match"):
        write_case(store, [events[0], forged, events[2]])
    with pytest.raises(CaseError, match="start with its case_opened"):
        write_case(store, events[1:])
    assert store.list_ids() == []


def test_event_chain_builds_what_the_store_would(store: FolderStore) -> None:
    chain = EventChain()
    with pytest.raises(CaseError, match="starts with case_opened"):
        chain.add(START, OFFICER, answer("a.b", True))
    chain.add(START, OFFICER, opened())
    chain.add(START, OFFICER, answer("a.b", True))
    with pytest.raises(CaseError, match="changed after it was signed"):
        chain.add(START, OFFICER, signoff(ZERO_HASH))
    chain.add(START, OFFICER, signoff(chain.head))
    write_case(store, chain.events)
    assert store.verify("BWV-2024-0001").head == chain.head


@pytest.mark.parametrize("name", ["../x.pdf", "a/b.pdf", ".hidden", ""])
def test_record_names_stay_in_the_records_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(IntegrityError, match="not a plain record file name"):
        record_path(tmp_path, name)
