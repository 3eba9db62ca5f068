"""`make bench`: one table of wall times and peak memory, each against its floor, in one run.

The machines are shared and noisy, so every figure is a median of several runs, and the
ratios (ours / floor) are measured side by side in the same run. Stages:

  start-up   `bwvdisclose --help` and `evaluate` vs `python -c "import click, pydantic, yaml"`
  record     render + sign the demo record vs bare WeasyPrint on the same HTML + bare pyHanko
  append     appends per second to a folder store, today's and the store before issue 9
  audit      `audit verify` (alone, and with a signed checkpoint) and `audit replay` on
             synthetic stores of 1,000 and 10,000 cases
  cost       the record of a 5,000-event case; every free-text field one unbroken word at
             half and at its full limit (layout must grow linearly); SHA-256 of 1 GiB footage

Run: .venv/bin/python bench/run.py [--quick] [--repeat N] [--only STAGE ...]
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


STAGES = ("startup", "record", "cost", "append", "audit")

# (what, wall s, peak MB, compared with, its seconds, verdict)
Row = tuple[str, float, float, str, float, str]


def against(floor: float, wall: float, target: float) -> str:
    ratio = wall / floor
    return f"{ratio:.2f}x ({'meets' if ratio <= target else 'MISSES'} {target}x)"


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
    name = "python -c 'import click, pydantic, yaml'"
    return [
        ("start-up: --help", *got["help"], name, floor, against(floor, got["help"][0], 1.5)),
        (
            "start-up: evaluate (demo)",
            *got["evaluate"],
            name,
            floor,
            against(floor, got["evaluate"][0], 1.5),
        ),
    ]


def record(repeat: int) -> list[Row]:
    child = [PY, str(ROOT / "bench" / "record_child.py"), "--repeat", str(repeat)]
    ours = _child_time([*child, "ours"])
    floor = _child_time([*child, "floor"])
    verdict = against(floor[0], ours[0], 1.3) + f", {'under' if ours[0] < 1.5 else 'OVER'} 1.5 s"
    return [("record: render + sign (demo)", *ours, "bare WeasyPrint + pyHanko", floor[0], verdict)]


def _child_time(cmd: list[str]) -> tuple[float, float]:
    """The child prints its own median (imports and warm-up excluded); we read its peak RSS."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"benchmark failed: {' '.join(cmd)}\n{err}")
    return float(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def cost() -> list[Row]:
    """Bounded cost: long histories, long unbroken words, big footage files."""
    job = [PY, str(ROOT / "bench" / "record_cost.py")]
    rows: list[Row] = []
    wall, peak = _median_child([*job, "history", "5000"], 3)
    ok = wall < 5 and peak < 300
    rows.append(("record: 5,000-event case", wall, peak, "target", 5.0, _meets(ok, "5 s, 300 MB")))
    half, _ = _median_child([*job, "words", "0.5"], 3)
    full, peak = _median_child([*job, "words", "1"], 3)
    growth = full / half
    verdict = f"{growth:.2f}x from half to full ({'linear' if growth <= 2.2 else 'WORSE'})"
    rows.append(("record: fields at limit, unbroken", full, peak, "same at half", half, verdict))
    wall, peak = _median_child([*job, "footage", "1024"], 3)
    rows.append(("footage: SHA-256 of 1 GiB", wall, peak, "target", 5.0, _meets(wall < 5, "5 s")))
    return rows


def _meets(ok: bool, what: str) -> str:
    return f"{'meets' if ok else 'MISSES'} {what}"


def _median_child(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [_child_time(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def audit(sizes: list[int]) -> list[Row]:
    rows: list[Row] = []
    r2 = str(ROOT / "criteria" / "met-bwv-2020-r2-illustrative")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = str(Path(tmp) / "store")
            ca = str(Path(tmp) / "store.keys" / "ca.pem")  # the demo store's TEST CA
            start = time.perf_counter()
            subprocess.run(
                [BWV, "demo", "--cases", str(n), "--store", store, "--seed", "1"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            made = time.perf_counter() - start
            print(f"  (generated {n} synthetic cases in {made:.1f} s)", file=sys.stderr)
            key, point = Path(tmp) / "store.key", Path(tmp) / "checkpoint.txt"
            subprocess.run(
                [BWV, "audit", "keygen", "--name", "bench", "--out", str(key)],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            with point.open("w") as out:
                made = [BWV, "audit", "checkpoint", "--store", store, "--key", str(key)]
                subprocess.run(made, check=True, stdout=out)
            checked = ["--checkpoint", str(point), "--verifier", f"{key}.pub"]
            for what, cmd in (
                ("verify", [BWV, "audit", "verify", "--store", store, "--trust", ca]),
                (
                    "verify+checkpoint",
                    [BWV, "audit", "verify", "--store", store, "--trust", ca, *checked],
                ),
                ("replay", [BWV, "audit", "replay", "--criteria", r2, "--store", store]),
            ):
                wall, peak = median_of(cmd, 3)
                ok = n < 10000 or (wall < 10 and peak < 200)
                verdict = "" if n < 10000 else ("meets" if ok else "MISSES") + " 10 s, 200 MB"
                rows.append(
                    (f"audit {what}, {n:,} cases", wall, peak, "target at 10,000", 10.0, verdict)
                )
    return rows


BEFORE_STORE = "6b40657"  # main before issue 9: no store-wide log, checks outside the lock


def appends(repeat: int) -> list[Row]:
    """Appends per second to a folder store, today's against the store before issue 9."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BEFORE_STORE, "src"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        script = [PY, str(ROOT / "bench" / "appends.py"), "--appends", "300"]
        rates: dict[str, list[float]] = {"before": [], "now": []}
        for _ in range(repeat):  # interleaved: load on the machine falls on both alike
            for name, extra in (("before", ["--src", f"{tmp}/src"]), ("now", [])):
                out = subprocess.run([*script, *extra], check=True, capture_output=True)
                rates[name].append(float(out.stdout.decode().split()[-1]))
    before, now = (statistics.median(rates[k]) for k in ("before", "now"))
    # wall s here is seconds per append (1 / rate), so the table stays one shape
    return [
        (f"append ({now:.0f}/s now)", 1 / now, 0.0, f"before issue 9 ({before:.0f}/s)",
         1 / before, f"{now / before:.2f}x the rate")
    ]  # fmt: skip


def show(rows: list[Row]) -> None:
    python = platform.python_version()
    print(f"machine: {os.cpu_count()} cores · Python {python} · {platform.platform(terse=True)}")
    head = f"{'what':30} {'wall s':>7} {'peak MB':>8}  {'compared with':40} {'its s':>6}  verdict"
    print(head)
    print("-" * (len(head) + 24))
    for name, wall, peak, other, other_s, verdict in rows:
        print(f"{name:30} {wall:7.3f} {peak:8.1f}  {other:40} {other_s:6.3f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="audit at 1,000 cases only")
    parser.add_argument(
        "--only", action="append", choices=STAGES, help="run just this stage (repeatable)"
    )
    args = parser.parse_args()
    stages = {
        "startup": lambda: startup(args.repeat),
        "record": lambda: record(max(3, args.repeat // 2)),
        "cost": cost,
        "append": lambda: appends(5),
        "audit": lambda: audit([1000] if args.quick else [1000, 10000]),
    }
    rows: list[Row] = []
    for name in args.only or STAGES:
        rows += stages[name]()
    show(rows)


if __name__ == "__main__":
    main()
