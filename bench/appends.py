"""Appends per second to a folder store: one process, cases of 20 events, every append
checked and fsynced as `assess` does it.

    .venv/bin/python bench/appends.py [--appends 400] [--src DIR]

--src puts another checkout's `src/` first on the path, so `make bench` can measure the
store before issue 9 (bwvdisclose.case.store.CaseStore: no store-wide log) beside today's
(bwvdisclose.store.folder.FolderStore). Prints appends per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=400)
    parser.add_argument("--src", type=Path)
    args = parser.parse_args()
    if args.src:
        sys.path.insert(0, str(args.src))
    from bwvdisclose.case.payloads import Actor, AnswerRecorded
    from bwvdisclose.policy.models import PolicyRef

    try:
        from bwvdisclose.store.folder import FolderStore as Store
    except ImportError:  # the store before issue 9
        from bwvdisclose.case.store import CaseStore as Store  # type: ignore[no-redef]

    actor = Actor(name="Sam Jones", role="disclosure officer", number="PC 1234")
    policy = PolicyRef(id="met-bwv-2020", version="2020.1", sha256="ab" * 32)
    when = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store")
        start = time.perf_counter()
        case_id = ""
        for i in range(args.appends):
            if i % 20 == 0:
                case_id = store.create(
                    actor, incident_ref="CAD 1", occurred=when, location="Whitehall",
                    clips=["c1"], policy=policy,
                ).case_id  # fmt: skip
            body = AnswerRecorded(question=f"q.n{i}", value=True, rationale="Seen on the clip.")
            store.append(case_id, actor, body)
        wall = time.perf_counter() - start
    print(f"{args.appends / wall:.1f}")


if __name__ == "__main__":
    main()
