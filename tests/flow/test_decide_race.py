"""Red-team finding 6: `decide` racing `assess`.

The decision maker decides what the case recommends (publish with redactions); at the
same moment someone assesses it again, and the answers now give publish. Found on the
old code: the decision was logged as a justified departure from publish, its rationale
("ok") standing as the justification, exit 0. Now `decide` refuses, writing nothing,
when the recommendation changed between what it read and the moment it writes.

Each round forks the `decide` command (click's main, in-process: no start-up) and an
assess (the library call `assess` makes). The command's read of the case comes first;
the assess is let go once it has read, and the command waits a random few milliseconds
before writing, so the assess lands before, during or after its write. 50 rounds
(BWVDISCLOSE_RACE_ROUNDS for more).
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

import pytest

from bwvdisclose.answers import Answer, validate_answers
from bwvdisclose.case import Actor, DecisionRecordedEvent
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.cli import record_cmd
from bwvdisclose.datafile import load_data
from bwvdisclose.errors import BwvError
from bwvdisclose.policy import load_policy
from bwvdisclose.store.folder import FolderStore
from tests.conftest import ROOT
from tests.forks import collect

ROUNDS = int(os.environ.get("BWVDISCLOSE_RACE_ROUNDS", "50"))
OFFICER = Actor(name="PC Jane Smith", role="duty officer", number="PC1234")
WHEN = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)
PROTEST = ROOT / "demo" / "answers" / "protest.yaml"
REVIEW_BY = (dt.date.today() + dt.timedelta(days=60)).isoformat()
NOTES = {
    "explanatory_context_required": "Press statement explains the baton use",
    "amplification_warning": "Digital team briefed",
    "review_date_required": "Review date set",
}


def _decide_args(store: Path, case_id: str) -> list[str]:
    notes = [f"--note={k}={v}" for k, v in NOTES.items()]
    return [
        case_id, "--outcome", "publish_with_redactions", "--rationale", "ok",
        "--review-by", REVIEW_BY, *notes, "--store", str(store),
        "--user", "Amy Ward", "--number", "4711",
    ]  # fmt: skip


def _child(run: Any, out_w: int) -> None:
    code = 0
    try:
        run()
        os.write(out_w, b"ok")
    except BwvError as exc:
        os.write(out_w, str(exc).encode()[:4000])
    except BaseException as exc:  # a bug: say what it was
        os.write(out_w, f"CRASH {exc!r}".encode()[:4000])
        code = 1
    finally:
        os._exit(code)


def _round(store: Path, case_id: str, wait: float) -> tuple[str, str]:
    """Fork the decide command and an assess; the assess goes once decide has read."""
    read_r, read_w = os.pipe()  # decide -> assess: "I have read the case"
    policy = load_policy(None)

    def decide() -> None:
        real = record_cmd.find_approval  # called after the command's read, before its write

        def after_read(*args: Any, **kw: Any) -> Any:
            os.write(read_w, b"r")
            found = real(*args, **kw)
            if wait:
                import time

                time.sleep(wait)
            return found

        record_cmd.find_approval = after_read
        record_cmd.decide_command.main(_decide_args(store, case_id), standalone_mode=False)

    def assess() -> None:
        os.read(read_r, 1)
        change = {"dp.identifiable_third_parties": Answer(value=False, rationale="Blurred")}
        Cases(FolderStore(store, lock_timeout=30), policy).apply(
            case_id, OFFICER, change, "Second look"
        )

    children = []
    for run in (decide, assess):
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(out_r)
            _child(run, out_w)
        os.close(out_w)
        children.append((pid, out_r))
    results = collect(children)
    os.close(read_r)
    os.close(read_w)
    return results[0], results[1]


@pytest.mark.default_policy
def test_decide_racing_assess_never_logs_a_departure_it_did_not_make(tmp_path: Path) -> None:
    store = tmp_path / "store"
    policy = load_policy(None)
    cases = Cases(FolderStore(store, lock_timeout=30), policy)
    answers = validate_answers(policy, load_data(PROTEST, "answers"), "protest")
    rng = random.Random(6)
    refused = 0
    for _ in range(ROUNDS):
        case_id = cases.open(OFFICER, Intake("CAD 6", WHEN, "Whitehall", ["c1"]))
        cases.apply(case_id, OFFICER, answers, None)
        assert cases.recompute(case_id, OFFICER).outcome == "publish_with_redactions"
        decided, assessed = _round(store, case_id, rng.choice([0, 0.002, 0.005, 0.01]))
        assert assessed == "ok", assessed
        decisions = [e for e in cases.store.read(case_id) if isinstance(e, DecisionRecordedEvent)]
        if decided == "ok":
            [decision] = decisions
            assert not decision.departure, "a decision that followed what it read, as a departure"
            assert decision.recommended == "publish_with_redactions"
        else:
            refused += 1
            assert "changed from publish_with_redactions to publish" in decided, decided
            assert "nothing was written" in decided
            assert decisions == []
    assert refused, "no round raced: the test proves nothing"
