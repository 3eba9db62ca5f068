"""Ctrl-C in any command: one line and exit 130, as the exit-code table says, in a real process.

Found: outside the checklist, Ctrl-C (e.g. in `audit verify` or `record`) printed click's
"Aborted!" and exited 1, and the workers of a parallel audit each printed a traceback.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.flow.conftest import ENV, Signed
from tests.flow.conftest import keys as keys  # session fixtures, reused
from tests.flow.conftest import signed as signed


def _interrupt_once_ready(args: list[str], ready: str) -> subprocess.CompletedProcess[str]:
    """Run `args` in its own process group; once stdout shows `ready`, send SIGINT to the
    whole group (as a terminal's Ctrl-C does) and collect what it printed."""
    proc = subprocess.Popen(
        args, env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    seen, deadline = "", time.monotonic() + 120
    while ready not in seen:
        assert time.monotonic() < deadline, f"never printed {ready!r}: {seen!r}"
        if select.select([proc.stdout], [], [], 1)[0]:
            line = proc.stdout.readline()
            assert line, f"ended before {ready!r}: {seen!r} {proc.stderr.read()!r}"  # type: ignore[union-attr]
            seen += line
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(args, proc.returncode, seen + out, err)


def test_ctrl_c_while_a_command_works_exits_130_with_one_line(
    signed: Signed, tmp_path: Path
) -> None:
    """`verify CASE --clip` prints "verified", then hashes the clip: interrupted there."""
    clip = tmp_path / "clip.mp4"
    with open(clip, "wb") as fh:
        fh.truncate(200 * 1024**3)  # sparse: hashing it would take minutes
    done = _interrupt_once_ready(
        [sys.executable, "-m", "bwvdisclose", "verify", signed.case_id, "--clip", str(clip),
         "--store", str(signed.store)],
        "verified",
    )  # fmt: skip
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines() == [
        "error: interrupted: stopped before the command finished; a case store is never "
        "left half-written (each write is whole or not made)"
    ], done.stderr


WORKERS = """
import sys, time
from bwvdisclose.audit.scan import map_cases
def task(case_id):
    time.sleep(0.05)
    return case_id
try:
    for n, _ in enumerate(map_cases(task, [str(i) for i in range(100_000)], workers=2)):
        if n == 0:
            print("ready", flush=True)
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_ctrl_c_in_a_parallel_audit_leaves_no_worker_tracebacks() -> None:
    done = _interrupt_once_ready([sys.executable, "-c", WORKERS], "ready")
    assert done.returncode == 130, done.stderr
    assert done.stderr == "", done.stderr
