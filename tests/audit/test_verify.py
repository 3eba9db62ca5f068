"""Audit verify: tampered, truncated and reordered logs and replaced records among good cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bwvdisclose.audit.verify import verify_case, verify_store
from bwvdisclose.case import (
    CaseOpened,
    RecordRenderedEvent,
    SignoffRecorded,
    SignoffRecordedEvent,
)
from bwvdisclose.store.bulk import EventChain, write_case
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import TrustRoots
from tests.audit.conftest import OFFICER, SYNTH_CASES, copy_store

AT = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def _log(store: Path, case_id: str) -> Path:
    return store / case_id / "events.jsonl"


def _with(store: Path, kind: type) -> list[str]:
    """Cases with an event of `kind`, in store order."""
    s = FolderStore(store)
    return [c for c in s.list_ids() if any(isinstance(e, kind) for e in s.read(c))]


@pytest.fixture
def damaged(synth_store: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the synthetic store with four cases damaged, each a different way."""
    store = copy_store(synth_store, tmp_path / "store")
    recorded = _with(store, RecordRenderedEvent)
    ids = [c for c in FolderStore(store).list_ids() if c not in recorded]
    tampered, truncated, reordered, replaced = ids[3], ids[10], ids[20], recorded[2]
    lines = _log(store, tampered).read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"rationale":"', b'"rationale":"Not ', 1)
    _log(store, tampered).write_bytes(b"".join(lines))
    lines = _log(store, truncated).read_bytes().splitlines(keepends=True)
    _log(store, truncated).write_bytes(b"".join(lines[:-1]))
    lines = _log(store, reordered).read_bytes().splitlines(keepends=True)
    lines[3], lines[4] = lines[4], lines[3]
    _log(store, reordered).write_bytes(b"".join(lines))
    pdf = next((store / replaced / "records").iterdir())
    pdf.write_bytes(pdf.read_bytes().replace(b"synthetic", b"SYNTHETIC"))
    expected = {
        tampered: "event 3: hash does not match",
        truncated: "events were removed",
        reordered: "event 4: seq is 5, expected 4",
        replaced: f"record {pdf.name}",
    }
    return store, expected


def test_good_store_passes(synth_store: Path, synth_roots: TrustRoots) -> None:
    summary = verify_store(synth_store, roots=synth_roots)
    assert (summary.checked, summary.passed, summary.failed) == (SYNTH_CASES, SYNTH_CASES, [])


@pytest.mark.parametrize("workers", [1, 2])
def test_each_damage_is_caught_and_named(
    damaged: tuple[Path, dict[str, str]], workers: int, synth_roots: TrustRoots
) -> None:
    store, expected = damaged
    summary = verify_store(store, roots=synth_roots, workers=workers)
    assert summary.checked == SYNTH_CASES
    assert summary.passed == SYNTH_CASES - 4
    failed = {c.case_id: c.failures for c in summary.failed}
    assert set(failed) == set(expected)
    for case_id, words in expected.items():
        assert len(failed[case_id]) == 1
        assert failed[case_id][0].startswith(f"{case_id}: ")
        assert words in failed[case_id][0]


def test_replaced_record_says_changed_or_replaced(
    damaged: tuple[Path, dict[str, str]],
) -> None:
    store, expected = damaged
    case_id = next(c for c, words in expected.items() if words.startswith("record"))
    (problem,) = verify_case(FolderStore(store), case_id).failures
    assert "changed or replaced" in problem and "(event " in problem


def test_missing_record_is_a_note_unless_required(
    synth_store: Path, tmp_path: Path, synth_roots: TrustRoots
) -> None:
    store = copy_store(synth_store, tmp_path / "store")
    case_id = _with(store, RecordRenderedEvent)[0]
    for pdf in (store / case_id / "records").iterdir():
        pdf.unlink()
    checker = TrustChecker(synth_roots)
    check = verify_case(FolderStore(store), case_id, checker=checker)
    assert check.ok and "the file is missing" in check.notes[0]
    strict = verify_case(FolderStore(store), case_id, require_records=True, checker=checker)
    assert not strict.ok and "the file is missing" in strict.failures[0]


def test_a_signature_over_another_head_fails(synth_store: Path, tmp_path: Path) -> None:
    """A well-chained log whose sign-off signature was made over a different head."""
    source = FolderStore(synth_store)
    case_id = _with(synth_store, SignoffRecordedEvent)[0]
    events = source.read(case_id)
    donor = next(e for e in events if isinstance(e, SignoffRecordedEvent))
    chain = EventChain()
    opened = events[0].model_dump(include=set(CaseOpened.model_fields))
    chain.add(AT, OFFICER, opened | {"case_id": "BWV-2030-0001"})
    signoff = donor.model_dump(include=set(SignoffRecorded.model_fields))
    event = chain.add(AT, OFFICER, signoff | {"head": chain.head})
    store = FolderStore(tmp_path / "store")
    write_case(store, chain.events)
    meaning, problem = verify_case(store, "BWV-2030-0001").failures
    who = f"the {donor.role} sign-off by {donor.signer.name}"
    assert problem == (
        f"BWV-2030-0001: event {event.seq}: {who} does not verify: "
        "the signature is not over this statement by this key"
    )
    # ... and it signs nothing the tool would have let anyone sign: there is no decision
    assert meaning == (
        f"BWV-2030-0001: event {event.seq}: signoff_recorded with no recommendation before it"
    )
