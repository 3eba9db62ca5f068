"""Crash test: writers appending to a case are killed (SIGKILL) at random moments.

A forked child appends events in a loop through `FolderStore.append` and reports on a
pipe each event the store acknowledged (returned). The parent kills it after a random
short delay, then checks that the log verifies (notes about an interrupted append are
allowed) and that every acknowledged event is there, exactly as acknowledged. Rounds
repeat until at least 200 writes were acknowledged. The second test does the same with
two writers at once on one case, killed at different moments: nothing lost, nothing
interleaved.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from bwvdisclose.case.payloads import AnswerRecorded
from bwvdisclose.store.folder import FolderStore
from tests.case.conftest import OFFICER, open_case

ACKS_WANTED = 200


def _writer(root: Path, case_id: str, name: str, fd: int) -> None:
    """Append for ever, reporting `seq hash` of each acknowledged event on fd."""
    store = FolderStore(root, lock_timeout=30.0)
    actor = OFFICER.model_copy(update={"number": name})
    for i in range(1_000_000):
        body = AnswerRecorded(question=f"crash.{name}.q{i}", value=True, rationale="")
        event = store.append(case_id, actor, body)
        os.write(fd, f"{event.seq} {event.hash}\n".encode())


def _spawn(root: Path, case_id: str, name: str) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read)
        try:
            _writer(root, case_id, name, write)
        finally:
            os._exit(1)
    os.close(write)
    return pid, read


def _first_ack(read: int) -> bytes:
    """Wait until the writer has acknowledged one event (so every round gets somewhere,
    however loaded the machine), and return what it sent so far."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(read, 65536)
        if not chunk:
            break
        data += chunk
    return data


def _acks(read: int, data: bytes = b"") -> dict[int, str]:
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    return {int(seq): h for seq, h in (line.split() for line in data.decode().splitlines())}


def _check(store: FolderStore, case_id: str, acked: dict[int, str], notes: list[str]) -> None:
    verdict = store.verify(case_id)
    assert verdict.ok, verdict
    notes.extend(verdict.notes)
    stored = {e.seq: e.hash for e in store.read(case_id)}
    lost = {seq: h for seq, h in acked.items() if stored.get(seq) != h}
    assert not lost, f"acknowledged events lost or changed: {lost}"


def _crash_rounds(
    tmp_path: Path, writers: int, seed: int, min_rounds: int
) -> tuple[int, int, list[str]]:
    store = FolderStore(tmp_path / "store", lock_timeout=30.0)
    case_id = open_case(store)
    rng = random.Random(seed)
    acked: dict[int, str] = {}
    notes: list[str] = []
    rounds = 0
    while len(acked) < ACKS_WANTED or rounds < min_rounds:
        rounds += 1
        children = [_spawn(store.root, case_id, f"w{rounds}.{n}") for n in range(writers)]
        started = {pid: _first_ack(read) for pid, read in children}
        for pid, _ in children:
            time.sleep(rng.uniform(0.0, 0.04))
            os.kill(pid, signal.SIGKILL)
        for pid, read in children:
            os.waitpid(pid, 0)
            for seq, h in _acks(read, started[pid]).items():
                assert acked.setdefault(seq, h) == h, f"seq {seq} acknowledged twice"
        _check(store, case_id, acked, notes)
    # the log still takes appends after the last crash, and stays whole
    store.append(case_id, OFFICER, AnswerRecorded(question="after", value=True, rationale=""))
    assert store.verify(case_id).ok and store.verify(case_id).notes == ()
    return rounds, len(acked), notes


def test_a_writer_killed_at_random_loses_no_acknowledged_event(tmp_path: Path) -> None:
    rounds, acked, notes = _crash_rounds(tmp_path, writers=1, seed=20261121, min_rounds=10)
    assert acked >= ACKS_WANTED and rounds >= 10, (rounds, acked)
    # some kills landed inside an append (about one in five rounds, where fsync is slow)
    assert notes, f"no kill landed inside an append in {rounds} rounds"


def test_two_writers_killed_at_random_lose_nothing_and_never_interleave(tmp_path: Path) -> None:
    rounds, acked, _ = _crash_rounds(tmp_path, writers=2, seed=1121, min_rounds=5)
    assert acked >= ACKS_WANTED and rounds >= 5, (rounds, acked)
