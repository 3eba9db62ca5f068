"""The PostgreSQL store under load and faults, on a real server.

- 8 processes on 8 connections append 200 events each, alternating between one case they
  all share and a case of their own: nothing is lost or duplicated and every case
  verifies. (BWVDISCLOSE_LOAD_CONNECTIONS=8 gives each process 8 connections.)
- A client killed at a random moment, mid-transaction or not, 50 rounds: every event it
  was told was recorded is there, nothing half-written is, and the case's lock is free.
- The server restarted under running clients: they fail with one clear message each,
  carry on once it is back, and every acknowledged event is there.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from bwvdisclose.case.events import AnswerRecordedEvent
from bwvdisclose.errors import BwvError, LockError, StoreError
from bwvdisclose.store.postgres.store import PostgresStore
from tests.case.conftest import OFFICER, answer, open_case
from tests.pgcluster import Cluster

PROCESSES = 8
CONNECTIONS = int(os.environ.get("BWVDISCLOSE_LOAD_CONNECTIONS", "1"))
EVENTS = int(os.environ.get("BWVDISCLOSE_LOAD_EVENTS", "200"))
KILL_ROUNDS = 50

FORK = multiprocessing.get_context("fork")


def ack(fd: int, text: str) -> None:
    """Report one line to the parent with one write (atomic on a pipe below PIPE_BUF)."""
    os.write(fd, (text + "\n").encode())


def read_all(fd: int) -> list[str]:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode().splitlines()


# --- load ----------------------------------------------------------------------------------------


def _writer(url: str, shared: str, own: str, worker: str, n: int, out: int, go: Any) -> None:
    """One connection: n events, alternating between the shared case and its own case."""
    store = PostgresStore(url, lock_timeout=60.0)
    store.connection()
    go.wait()
    for i in range(n):
        case_id = shared if i % 2 == 0 else own
        [event] = store.transact(
            case_id, OFFICER, lambda _e, i=i: [answer(f"load.{worker}.{i}", True)]
        )
        ack(out, f"{case_id} {event.seq} {event.hash}")
    store.close()


def _process(url: str, shared: str, own: list[str], p: int, out: int, go: Any) -> None:
    import threading

    threads = [
        threading.Thread(target=_writer, args=(url, shared, own[c], f"p{p}c{c}", EVENTS, out, go))
        for c in range(CONNECTIONS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os._exit(0)


def test_many_writers_lose_nothing_and_duplicate_nothing(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    shared = open_case(store)
    own = [[open_case(store) for _ in range(CONNECTIONS)] for _ in range(PROCESSES)]
    read_end, write_end = os.pipe()
    go = FORK.Barrier(PROCESSES * CONNECTIONS)
    procs = [
        FORK.Process(target=_process, args=(pg_url, shared, own[p], p, write_end, go))
        for p in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    os.close(write_end)
    acks = read_all(read_end)
    for proc in procs:
        proc.join(timeout=300)
        assert proc.exitcode == 0
    writers = PROCESSES * CONNECTIONS
    assert len(acks) == writers * EVENTS
    acknowledged = {tuple(line.split()) for line in acks}
    assert len(acknowledged) == len(acks)  # no (case, seq) acknowledged twice
    for case_id in [shared, *(c for row in own for c in row)]:
        verdict, events = store.verify_and_read(case_id)
        assert verdict.ok, verdict.problem
        stored = {(case_id, str(e.seq), e.hash) for e in events[1:]}
        assert stored == {a for a in acknowledged if a[0] == case_id}
        questions = Counter(e.question for e in events if isinstance(e, AnswerRecordedEvent))
        assert all(n == 1 for n in questions.values())  # nothing written twice
    share = (EVENTS + 1) // 2
    assert len(store.read(shared)) == 1 + writers * share


# --- a client killed ---------------------------------------------------------------------------


def _appender(url: str, case_id: str, out: int) -> None:
    store = PostgresStore(url, lock_timeout=30.0)
    ack(out, "ready")
    n = 0
    while True:
        n += 1
        new = store.transact(
            case_id,
            OFFICER,
            lambda _e, n=n: [answer(f"kill.{os.getpid()}.{n}.a", True),
                             answer(f"kill.{os.getpid()}.{n}.b", False)],
        )  # fmt: skip
        ack(out, " ".join(e.hash for e in new))


def test_a_client_killed_at_any_moment_leaves_no_half_write(pg_url: str) -> None:
    store = PostgresStore(pg_url, lock_timeout=10.0)
    case_id = open_case(store)
    rng = random.Random(14)
    for _ in range(KILL_ROUNDS):
        read_end, write_end = os.pipe()
        proc = FORK.Process(target=_appender, args=(pg_url, case_id, write_end))
        proc.start()
        os.close(write_end)
        assert os.read(read_end, 6) == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        acknowledged = [line.split() for line in read_all(read_end) if line]
        # The case's lock went with the killed client: the next append does not wait.
        started = time.monotonic()
        store.append(case_id, OFFICER, answer(f"after.{proc.pid}", True))
        assert time.monotonic() - started < 5
        verdict, events = store.verify_and_read(case_id)
        assert verdict.ok, verdict.problem
        hashes = {e.hash for e in events}
        assert all(h in hashes for pair in acknowledged for h in pair)
        # Both answers of a transaction or neither: never half of one.
        mine = [e.question for e in events if getattr(e, "question", "").startswith("kill.")]
        assert all(q.replace(".a", ".b") in mine for q in mine if q.endswith(".a")) and all(
            q.replace(".b", ".a") in mine for q in mine if q.endswith(".b")
        )


def _stuck_before_commit(url: str, case_id: str, out: int) -> None:
    """Insert two events and the leaf, report, then wait to be killed before COMMIT."""
    store = PostgresStore(url, lock_timeout=30.0)
    insert = store._insert

    def insert_then_wait(conn: Any, case: str, new: Any) -> None:
        insert(conn, case, new)
        ack(out, "inserted")
        time.sleep(60)

    store._insert = insert_then_wait  # type: ignore[method-assign]
    store.transact(case_id, OFFICER, lambda _e: [answer("half.a", True), answer("half.b", True)])
    os._exit(1)


def test_a_client_killed_between_insert_and_commit_leaves_nothing(pg_url: str) -> None:
    store = PostgresStore(pg_url, lock_timeout=10.0)
    case_id = open_case(store)
    for _ in range(5):
        before = store.read(case_id)
        read_end, write_end = os.pipe()
        proc = FORK.Process(target=_stuck_before_commit, args=(pg_url, case_id, write_end))
        proc.start()
        os.close(write_end)
        assert os.read(read_end, 9) == b"inserted\n"
        # While it holds the lock, nobody sees its rows, and a writer waits for it.
        assert store.read(case_id) == before
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        os.close(read_end)
        store.append(case_id, OFFICER, answer(f"after.{proc.pid}", True))
        events = store.read(case_id)
        assert not [e for e in events if getattr(e, "question", "").startswith("half.")]
        assert [e.case_id for e in store.log_entries()].count(case_id) == len(events)


# --- the server restarted ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A cluster of these tests' own: it is restarted and stopped under its clients."""
    with Cluster(max_connections=30) as cluster:
        yield cluster


def _steady(url: str, case_id: str, out: int, until: float) -> None:
    """Append until `until`; report each acknowledged event, and each error's message."""
    store = PostgresStore(url, lock_timeout=10.0)
    n = 0
    while time.time() < until:
        n += 1
        try:
            [event] = store.transact(
                case_id, OFFICER, lambda _e, n=n: [answer(f"steady.{os.getpid()}.{n}", True)]
            )
            ack(out, f"ok {event.hash}")
        except BwvError as exc:
            ack(out, f"error {type(exc).__name__} {exc.message}")
            time.sleep(0.05)
        except BaseException as exc:
            ack(out, f"crash {type(exc).__name__} {exc}")
            os._exit(1)
    os._exit(0)


def test_a_server_restart_fails_clients_clearly_and_keeps_what_was_acknowledged(
    own_cluster: Cluster,
) -> None:
    from bwvdisclose.store.postgres.connect import connect
    from bwvdisclose.store.postgres.schema import init_store

    url = own_cluster.create_database("restart")
    with connect(url) as conn:
        init_store(conn)
    store = PostgresStore(url)
    cases = [open_case(store) for _ in range(4)]
    store.close()
    read_end, write_end = os.pipe()
    until = time.time() + 6
    procs = [FORK.Process(target=_steady, args=(url, c, write_end, until)) for c in cases]
    for proc in procs:
        proc.start()
    os.close(write_end)
    time.sleep(1.5)
    own_cluster.restart("fast")
    time.sleep(1.5)
    own_cluster.restart("immediate")  # a crash of the server
    lines = read_all(read_end)
    for proc in procs:
        proc.join(timeout=60)
    assert not [line for line in lines if line.startswith("crash")], lines
    assert all(proc.exitcode == 0 for proc in procs)
    errors = [line for line in lines if line.startswith("error")]
    assert errors, "the restarts were not noticed"
    for line in errors:
        kind, message = line.split(" ", 2)[1:]
        assert kind in (StoreError.__name__, LockError.__name__), line
        assert (
            "lost the connection to the case store" in message
            or "cannot connect to the case store" in message
        ), line
    store = PostgresStore(url)
    stored = {e.hash for c in cases for e in store.read(c)}
    acked = [line.split()[1] for line in lines if line.startswith("ok")]
    assert len(acked) > 20
    assert set(acked) <= stored
    store.close()


def test_a_store_whose_server_is_gone_says_so(own_cluster: Cluster) -> None:
    url = own_cluster.create_database("gone")
    own_cluster.stop_server("fast")
    assert not own_cluster.running()
    with pytest.raises(StoreError, match="cannot connect to the case store postgresql://"):
        PostgresStore(url).list_ids()
    own_cluster.pg_ctl_start()
    with pytest.raises(StoreError, match="holds no bwvdisclose store"):
        PostgresStore(url).list_ids()
    with psycopg.connect(url):
        pass
