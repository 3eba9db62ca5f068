"""`make bench`: one table of wall times and peak memory, each against its floor, in one run.

The machines are shared and noisy, so every figure is a median of several runs, and the
ratios (ours / floor) are measured side by side in the same run. Stages:

  start-up   `bwvdisclose --help` and `evaluate` vs `python -c "import click, pydantic, yaml"`
  record     render + sign the demo record vs bare WeasyPrint on the same HTML + bare pyHanko
  audit      `audit verify` and `audit replay` on synthetic stores of 1,000 and 10,000 cases

Run: .venv/bin/python bench/run.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BWV = str(BIN / "bwvdisclose")
PY = sys.executable
DEMO_ANSWERS = str(ROOT / "demo" / "answers" / "protest.yaml")


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB) of that one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def median_of(
    cmd: list[str], repeat: int, env: dict[str, str] | None = None
) -> tuple[float, float]:
    runs = [measure(cmd, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def interleaved(cmds: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Alternate the commands run by run, so load on the machine falls on all of them alike."""
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for cmd in cmds.values():
        measure(cmd)  # warm the file cache
    for _ in range(repeat):
        for name, cmd in cmds.items():
            samples[name].append(measure(cmd))
    return {
        k: (statistics.median(s[0] for s in v), max(s[1] for s in v)) for k, v in samples.items()
    }


Row = tuple[str, float, float, str, float]


def startup(repeat: int) -> list[Row]:
    got = interleaved(
        {
            "floor": [PY, "-c", "import click, pydantic, yaml"],
            "help": [BWV, "--help"],
            "evaluate": [BWV, "evaluate", DEMO_ANSWERS],
        },
        repeat,
    )
    floor = got["floor"][0]
    return [
        ("start-up: bwvdisclose --help", *got["help"], "import click, pydantic, yaml", floor),
        (
            "start-up: bwvdisclose evaluate (demo)",
            *got["evaluate"],
            "import click, pydantic, yaml",
            floor,
        ),
    ]


def record(repeat: int) -> list[Row]:
    child = [PY, str(ROOT / "bench" / "record_child.py"), "--repeat", str(repeat)]
    ours = _child_time([*child, "ours"])
    floor = _child_time([*child, "floor"])
    return [
        (
            "record: render + sign (demo record)",
            ours[0],
            ours[1],
            "bare WeasyPrint + pyHanko",
            floor[0],
        )
    ]


def _child_time(cmd: list[str]) -> tuple[float, float]:
    """The child prints its own median (imports and warm-up excluded); we read its peak RSS."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"record benchmark failed:\n{proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return float(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def audit(sizes: list[int]) -> list[Row]:
    rows: list[Row] = []
    r2 = str(ROOT / "criteria" / "met-bwv-2020-r2-illustrative")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = str(Path(tmp) / "store")
            start = time.perf_counter()
            subprocess.run(
                [BWV, "demo", "--cases", str(n), "--store", store, "--seed", "1"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            made = time.perf_counter() - start
            print(f"  (generated {n} synthetic cases in {made:.1f} s)", file=sys.stderr)
            floor = measure([PY, "-c", "import click, pydantic, yaml"])[0]
            verify = median_of([BWV, "audit", "verify", "--store", store], 3)
            replay = median_of([BWV, "audit", "replay", "--criteria", r2, "--store", store], 3)
            rows.append((f"audit verify, {n:,} cases", *verify, "target 10 s at 10,000", floor))
            rows.append((f"audit replay, {n:,} cases", *replay, "target 10 s at 10,000", floor))
    return rows


def show(rows: list[Row]) -> None:
    python = platform.python_version()
    print(f"machine: {os.cpu_count()} cores · Python {python} · {platform.platform(terse=True)}")
    head = f"{'what':42} {'wall s':>8} {'peak MB':>8}  {'floor':30} {'floor s':>8} {'ratio':>7}"
    print(head)
    print("-" * len(head))
    for name, wall, peak, floor_name, floor in rows:
        print(
            f"{name:42} {wall:8.3f} {peak:8.1f}  {floor_name:30} {floor:8.3f} {wall / floor:6.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="audit at 1,000 cases only")
    args = parser.parse_args()
    rows = startup(args.repeat) + record(max(3, args.repeat // 2))
    rows += audit([1000] if args.quick else [1000, 10000])
    show(rows)


if __name__ == "__main__":
    main()
