"""Races on one case (issue 9): two commands at the same moment can never break it.

Each round forks two processes that wait on one pipe and then act at once through the
same library calls the commands make. 50 rounds each (BWVDISCLOSE_RACE_ROUNDS for more).
Found on the old code: two answers to one question both written (the case then failed
`verify` for good); two records both filed under one name, the second replacing the
first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bwvdisclose.answers import Answer
from bwvdisclose.audit.verify import verify_case
from bwvdisclose.case import Actor, Event, RecordRendered, fold
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.errors import BwvError, RecordError
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.models import Policy
from bwvdisclose.store.folder import FolderStore
from tests.conftest import KeyFiles, env_checker, signed_case
from tests.forks import collect

ROUNDS = int(os.environ.get("BWVDISCLOSE_RACE_ROUNDS", "50"))
OFFICER = Actor(name="PC Jane Smith", role="duty officer", number="PC1234")
WHEN = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(None)


def _race(go: Callable[[int], None]) -> list[str]:
    """Fork two children that wait for one signal, then run go(0) and go(1) at once.
    Returns what each reported: 'ok' or the error's message."""
    start_r, start_w = os.pipe()
    children = []
    for n in range(2):
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(out_r)
            code = 0
            try:
                os.read(start_r, 1)
                try:
                    go(n)
                    os.write(out_w, b"ok")
                except BwvError as exc:
                    os.write(out_w, str(exc).encode()[:4000])
            except BaseException as exc:  # a bug: say what it was
                os.write(out_w, f"CRASH {exc!r}".encode()[:4000])
                code = 1
            finally:
                os._exit(code)
        os.close(out_w)
        children.append((pid, out_r))
    os.write(start_w, b"go")
    results = collect(children)
    os.close(start_r)
    os.close(start_w)
    return results


def test_two_answers_to_one_question_at_once(tmp_path: Path, policy: Policy) -> None:
    store = FolderStore(tmp_path / "store", lock_timeout=30)
    cases = Cases(store, policy)
    for _ in range(ROUNDS):
        case_id = cases.open(OFFICER, Intake("CAD 1", WHEN, "Whitehall", ["c1"]))
        values = ["none", "referred"]

        def go(n: int, case_id: str = case_id, values: list[str] = values) -> None:
            answers = {"legal.iopc_status": Answer(value=values[n], rationale=f"racer {n}")}
            Cases(FolderStore(store.root, lock_timeout=30), policy).apply(
                case_id, OFFICER, answers, None
            )

        results = _race(go)
        verdict, events = store.verify_and_read(case_id)
        assert verdict.ok, verdict
        state = fold(events)  # the events make sense in order
        assert state.answers["legal.iopc_status"].value in values
        answered = [e for e in events if getattr(e, "question", "") == "legal.iopc_status"]
        assert len(answered) == 1, answered
        assert sorted(r == "ok" for r in results) == [False, True], results
        assert any("needs --reason" in r or "answered meanwhile" in r for r in results), results
        assert verify_case(store, case_id).ok


def _record_build(data: bytes, head: str) -> Callable[[Sequence[Event], str], RecordRendered]:
    def build(events: Sequence[Event], name: str) -> RecordRendered:
        if events[-1].hash != head:
            raise RecordError("the case changed while its record was being made")
        digest = hashlib.sha256(data).hexdigest()
        return RecordRendered(file=name, sha256=digest, size=len(data), head=head)

    return build


def test_two_records_at_once(tmp_path: Path, key_files: KeyFiles) -> None:
    store = FolderStore(tmp_path / "store", lock_timeout=30)
    cases = Cases(store, load_policy(None))
    for _ in range(ROUNDS):
        case_id = signed_case(cases, OFFICER, key_files)  # a case ready for its record
        head = store.read(case_id)[-1].hash  # both rendered from the same head

        def go(n: int, case_id: str = case_id, head: str = head) -> None:
            data = b"%%PDF-1.7 record by racer %d" % n
            FolderStore(store.root, lock_timeout=30).file_record(
                case_id, OFFICER, data, _record_build(data, head)
            )

        results = _race(go)
        assert sorted(r == "ok" for r in results) == [False, True], results
        records = [e for e in store.read(case_id) if isinstance(e, RecordRendered)]
        assert len(records) == 1
        check = verify_case(store, case_id, require_records=True, checker=env_checker())
        assert check.ok, check
        assert store.record_names(case_id) == [records[0].file]
