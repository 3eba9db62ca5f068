"""The interactive checklist driven through a real pseudo-terminal, as a duty officer would."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pexpect

from tests.conftest import ROOT

ENV = {
    **os.environ,
    "BWVDISCLOSE_USER": "PC Jane Smith",
    "BWVDISCLOSE_NUMBER": "PC1234",
    "COLUMNS": "100",
    "TERM": "dumb",
}
BIN = [sys.executable, "-m", "bwvdisclose"]


def spawn(*args: str, store: Path) -> pexpect.spawn:
    child = pexpect.spawn(
        BIN[0],
        [*BIN[1:], *args, "--store", str(store)],
        env=ENV,
        encoding="utf-8",
        timeout=20,
        cwd=str(ROOT),
    )
    child.delaybeforesend = 0.05
    return child


def see(child: pexpect.spawn, text: str) -> None:
    """Wait for text on screen, wherever the terminal wrapped it."""
    child.expect(r"\s+".join(re.escape(word) for word in text.split()))


def answer(child: pexpect.spawn, expect: str, reply: str) -> None:
    see(child, expect)
    child.expect_exact("> ")
    child.sendline(reply)


def test_open_quit_resume_change_and_finish(tmp_path: Path) -> None:
    store = tmp_path / "store"
    child = spawn("new", store=store)
    child.expect_exact("Incident reference")
    child.sendline("CAD 77/21NOV")
    child.expect_exact("When did it happen")
    child.sendline("2026-11-21T02:10")
    child.expect_exact("Location")
    child.sendline("Brixton Road")
    child.expect_exact("BWV clip references")
    child.sendline("BWV-1, BWV-2")
    answer(child, "What kind of incident", "b")  # b is Arrest, not "back"
    answer(child, "show force used by officers", "y")
    answer(child, "Which kinds of force", "b,e")
    see(child, "circulating widely")
    child.sendcontrol("c")  # Ctrl-C half way through
    see(child, "Stopped. Every answer given is saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    case_id = "BWV-" + next(store.glob("BWV-*")).name.split("BWV-")[1]
    child = spawn("assess", case_id, store=store)
    answer(child, "circulating widely", "back")  # resumes at media.viral; go back
    answer(child, "Which kinds of force", "b")
    answer(child, "Why change from", "Ground restraint was a kneel, not a restraint")
    answer(child, "circulating widely", "n")
    answer(child, "allegations", "none")
    answer(child, "significant concern", "n")
    child.expect_exact("Rationale")
    child.sendline("Neighbourhood team reports no tension")
    answer(child, "public appeal", "quit")
    see(child, "Paused. Resume with: bwvdisclose assess")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    events = [
        json.loads(line) for line in (store / case_id / "events.jsonl").read_text().splitlines()
    ]
    kinds = [(e["type"], e.get("question")) for e in events if e["type"].startswith("answer")]
    assert kinds == [
        ("answer_recorded", "incident.type"),
        ("answer_recorded", "force.shown"),
        ("answer_recorded", "force.types"),
        ("answer_changed", "force.types"),
        ("answer_recorded", "media.viral"),
        ("answer_recorded", "media.allegations"),
        ("answer_recorded", "tension.significant_concern"),
    ]
    change = next(e for e in events if e["type"] == "answer_changed")
    assert change["previous"] == ["handcuffs_non_compliant", "ground_restraint"]
    assert change["value"] == ["handcuffs_non_compliant"]
    assert events[1]["value"] == "arrest"
