"""Benchmark: the case store on PostgreSQL beside the folder store.

    .venv/bin/python bench/pg_bench.py [--cases 10000] [--appends 100] [--writers 1,8]

- `audit verify` and `audit replay` of N synthetic cases (made by `bwvdisclose demo` in a
  folder, moved with `bwvdisclose store copy` into PostgreSQL), each store in turn:
  wall, CPU and peak memory of the real CLI. Target on PostgreSQL: under 10 s each at
  10,000 cases.
- Appends per second: W writer processes (1 and 8) each appending E events, one
  transaction each, to a case of its own, through the store's own `append`, on each
  backend. Both fsync: the server runs with fsync on here, as a real one does.

The server is a throwaway cluster on this machine (tests/pgcluster.py: initdb and
pg_ctl in a temporary folder, a Unix socket), stopped at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgcluster import Cluster  # noqa: E402

from bench.audit_bench import R2, Run, run  # noqa: E402

FORK = multiprocessing.get_context("fork")


def _writer(location: str, case_id: str, appends: int, go: object) -> None:
    from bwvdisclose.case.payloads import Actor, AnswerRecorded
    from bwvdisclose.store import open_store

    store = open_store(location, lock_timeout=120.0)
    actor = Actor(name="Bench Writer", role="duty officer", number="B1")
    store.list_ids()  # connect before the clock starts
    go.wait()  # type: ignore[attr-defined]
    for i in range(appends):
        body = AnswerRecorded(question=f"bench.q{i}", value=True, rationale="")
        store.append(case_id, actor, body)
    os._exit(0)


def appends_per_second(location: str, writers: int, appends: int) -> float:
    """W processes each appending `appends` events to a case of its own; events per second."""
    import datetime as dt

    from bwvdisclose.case.payloads import Actor
    from bwvdisclose.policy.models import PolicyRef
    from bwvdisclose.store import open_store

    store = open_store(location)
    actor = Actor(name="Bench", role="duty officer", number="B0")
    policy = PolicyRef(id="met-bwv-2020", version="2020.1", sha256="ab" * 32)
    cases = [
        store.create(
            actor,
            incident_ref="BENCH",
            occurred=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            location="Bench",
            clips=["b.mp4"],
            policy=policy,
        ).case_id
        for _ in range(writers)
    ]
    go = FORK.Barrier(writers + 1)
    procs = [FORK.Process(target=_writer, args=(location, c, appends, go)) for c in cases]
    for p in procs:
        p.start()
    go.wait()
    started = time.perf_counter()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer failed ({p.exitcode})")
    return writers * appends / (time.perf_counter() - started)


def show(what: str, r: Run) -> None:
    print(
        f"{what:<44} {r.wall:>7.2f} {r.cpu:>7.2f} {r.max_rss_mb:>8.1f} {r.tree_mb:>8.1f}  {r.code}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--appends", type=int, default=100, help="Events per writer.")
    parser.add_argument("--writers", default="1,8")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pg-bench-") as tmp, Cluster(durable=True) as pg:
        folder = str(Path(tmp) / "store")
        ca = str(Path(tmp) / "store.keys" / "ca.pem")  # the demo store's TEST CA
        url = pg.create_database("bench")
        print(f"{'step':<44} {'wall s':>7} {'CPU s':>7} {'max MB':>8} {'tree MB':>8}  exit")
        show(f"demo --cases {args.cases} (folder)", run(["demo", "--cases", str(args.cases),
                                                         "--store", folder]))  # fmt: skip
        show("store init", run(["store", "init", url]))
        show(f"store copy folder -> PostgreSQL ({args.cases})", run(["store", "copy", folder, url]))
        for name, location in (("folder", folder), ("PostgreSQL", url)):
            show(f"audit verify, {args.cases} cases, {name}",
                 run(["audit", "verify", "--store", location, "--trust", ca]))  # fmt: skip
            show(f"audit replay, {args.cases} cases, {name}",
                 run(["audit", "replay", "--store", location, "--criteria", str(R2)]))  # fmt: skip
        print()
        print(f"{'appends per second':<24} {'folder':>10} {'PostgreSQL':>12}")
        for writers in (int(w) for w in args.writers.split(",")):
            rates = []
            for location in (str(Path(tmp) / f"appends-{writers}"), url):
                rates.append(appends_per_second(location, writers, args.appends))
            print(f"{writers} writer(s) x {args.appends:<10} {rates[0]:>10.0f} {rates[1]:>12.0f}")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, PostgreSQL "
          f"{pg.bin.parent.name} with fsync on, Unix socket")  # fmt: skip


if __name__ == "__main__":
    main()
