"""Benchmark: read and verify every case of a store of N cases of ~20 events each.

    .venv/bin/python bench/case_store.py [--cases 10000] [--events 20]

The store is written directly (no fsync, one process) so that building it is quick;
the timed part is exactly what an audit does: list_ids, then read + verify each case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from bwvdisclose.case.events import ZERO_HASH, build_event, event_line
from bwvdisclose.case.payloads import Actor, AnswerRecorded, Body, CaseOpened
from bwvdisclose.case.verify import Head
from bwvdisclose.policy.models import PolicyRef
from bwvdisclose.store.folder import FolderStore

ACTOR = Actor(name="Sam Jones", role="disclosure officer", number="PC 1234")
POLICY = PolicyRef(id="met-bwv-2020", version="2020.1", sha256="ab" * 32)
START = dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC)


def bodies(case_id: str, events: int) -> list[Body]:
    opened = CaseOpened(
        case_id=case_id,
        incident_ref="CAD 1234/01MAY24",
        occurred=START,
        location="Oxford Street, London W1",
        clips=["BWV-0001.mp4", "BWV-0002.mp4"],
        policy=POLICY,
    )
    answers = [
        AnswerRecorded(question=f"section.q{i}", value=i % 2 == 0, rationale="Seen on the clip.")
        for i in range(events - 1)
    ]
    return [opened, *answers]


def write_case(root: Path, number: int, events: int) -> None:
    case_id = f"BWV-2024-{number:04d}"
    folder = root / case_id
    folder.mkdir(mode=0o700)
    prev, lines, event = ZERO_HASH, [], None
    for seq, body in enumerate(bodies(case_id, events), start=1):
        event = build_event(seq, START + dt.timedelta(seconds=seq), ACTOR, prev, body)
        lines.append(event_line(event))
        prev = event.hash
    (folder / "events.jsonl").write_bytes(b"".join(lines))
    (folder / "HEAD").write_bytes(Head(seq=events, hash=prev).to_bytes())
    (folder / ".lock").touch(mode=0o600)


def audit(store: FolderStore) -> tuple[int, int]:
    cases = events = 0
    for case_id in store.list_ids():
        verdict, found = store.verify_and_read(case_id)
        assert verdict.ok, verdict
        cases, events = cases + 1, events + len(found)
    return cases, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        root.mkdir(mode=0o700)
        t0 = time.perf_counter()
        for number in range(1, args.cases + 1):
            write_case(root, number, args.events)
        t1, cpu1 = time.perf_counter(), time.process_time()
        cases, events = audit(FolderStore(root))
        t2, cpu2 = time.perf_counter(), time.process_time()
        print(f"built {cases} cases in {t1 - t0:.1f} s")
        print(f"read + verified {cases} cases, {events} events in {t2 - t1:.2f} s", end=" ")
        print(f"({cpu2 - cpu1:.2f} s CPU; {(t2 - t1) / events * 1e6:.1f} us per event)")


if __name__ == "__main__":
    main()
