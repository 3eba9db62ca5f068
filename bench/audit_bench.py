"""Benchmark: `audit verify` and `audit replay` on synthetic stores of 1,000 and 10,000 cases.

    .venv/bin/python bench/audit_bench.py [--sizes 1000,10000] [--workers N]

Each store is made with `bwvdisclose demo` in a temporary folder. Every step runs the
real CLI as a subprocess and reports wall time, CPU time (user + system, workers
included), the largest single process's peak RSS (from wait4) and the peak RSS of the
whole process tree (PSS, so pages shared by forked workers count once; sampled from
/proc every 50 ms). Targets on 2 cores for 10,000
cases: verify and replay under 10 s wall each, under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
R2 = ROOT / "criteria" / "met-bwv-2020-r2-illustrative"
CLI = [sys.executable, "-m", "bwvdisclose"]


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    max_rss_mb: float  # the largest single process
    tree_mb: float  # all processes of the run at once: peak PSS, sampled
    code: int


def _family(root: int) -> set[int]:
    """`root` and all its descendants, from /proc/PID/task/TID/children."""
    family, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                kids = {int(k) for k in children.read_text().split()} - family
            except OSError:
                continue
            family |= kids
            frontier += kids
    return family


def _tree_pss_kb(root: int) -> int:
    """Proportional set size of a process tree: forked workers' shared pages counted once."""
    total = 0
    for pid in _family(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
        )
    return total


def run(args: list[str]) -> Run:
    """Run the CLI with `args`, output discarded; measure it and its worker processes."""
    started = time.perf_counter()
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_pss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024, peak[0] / 1024, proc.returncode)


def bench(cases: int, tmp: Path, workers: list[str]) -> list[tuple[str, Run]]:
    store = tmp / f"store-{cases}"
    rows = [("demo (generate)", run(["demo", "--cases", str(cases), "--store", str(store)]))]
    ca = tmp / f"store-{cases}.keys" / "ca.pem"  # the demo store's TEST CA
    verify = ["audit", "verify", "--store", str(store), "--trust", str(ca), *workers]
    rows.append(("audit verify", run(verify)))
    replay = ["audit", "replay", "--store", str(store), "--criteria", str(R2), *workers]
    rows.append(("audit replay", run(replay)))
    rows.append(("audit stats", run(["audit", "stats", "--store", str(store), *workers])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="Store sizes, comma separated.")
    parser.add_argument("--workers", type=int, default=None, help="Passed to the audit commands.")
    args = parser.parse_args()
    workers = ["--workers", str(args.workers)] if args.workers else []
    print(f"{'cases':>6}  {'step':<16} {'wall s':>7} {'CPU s':>7} {'max RSS MB':>10} "
          f"{'tree PSS MB':>11}  exit")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
        for cases in (int(n) for n in args.sizes.split(",")):
            for step, r in bench(cases, Path(tmp), workers):
                print(f"{cases:>6}  {step:<16} {r.wall:>7.2f} {r.cpu:>7.2f} {r.max_rss_mb:>10.1f} "
                      f"{r.tree_mb:>11.1f}  {r.code}", flush=True)  # fmt: skip
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {os.uname().sysname}")


if __name__ == "__main__":
    main()
