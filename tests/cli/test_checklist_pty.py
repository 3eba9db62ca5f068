"""The interactive checklist driven through a real pseudo-terminal, as a duty officer would."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
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


def _terminal_signals() -> None:
    """Ctrl-C reaches the program as at a terminal, even when the tests were started in the
    background (a shell starts background jobs with SIGINT ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str, store: Path, env: dict[str, str] | None = None) -> pexpect.spawn:
    child = pexpect.spawn(
        BIN[0],
        [*BIN[1:], *args, "--store", str(store)],
        env={**(env or ENV), "XDG_STATE_HOME": str(store.parent / "state")},  # drafts
        encoding="utf-8",
        timeout=20,
        cwd=str(ROOT),
        preexec_fn=_terminal_signals,
    )
    child.delaybeforesend = 0.05
    return child


def see(child: pexpect.spawn, text: str) -> None:
    """Wait for text on screen, wherever the terminal wrapped it."""
    child.expect(r"\s+".join(re.escape(word) for word in text.split()))


def interrupt(child: pexpect.spawn, then: str) -> None:
    """Ctrl-C at a prompt, then wait for `then`.

    Python reads a line with a blocking read(); a SIGINT that lands after the prompt is
    written but before read() starts is only acted on at the next signal or keystroke
    (CPython's input() races so). On a loaded machine that window is real, so wait until
    the program is surely reading, and press Ctrl-C once more if nothing happened.
    """
    time.sleep(0.5)
    child.sendcontrol("c")
    pattern = r"\s+".join(re.escape(word) for word in then.split())
    if child.expect([pattern, pexpect.TIMEOUT], timeout=10) == 1:
        child.sendcontrol("c")
        child.expect(pattern)


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
    child.expect_exact("> ")  # at the prompt, as an officer would be (not mid-render)
    interrupt(child, "Stopped. Every answer given is saved")  # Ctrl-C half way through
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


def _intake_env(tmp_path: Path) -> dict[str, str]:
    return {**ENV, "XDG_STATE_HOME": str(tmp_path / "state")}


def test_intake_takes_uk_dates_reasks_and_keeps_a_draft_on_ctrl_c(tmp_path: Path) -> None:
    store = tmp_path / "store"
    child = spawn("new", store=store, env=_intake_env(tmp_path))
    child.expect_exact("Incident reference")
    child.sendline("CAD 88/03JUL")
    child.expect_exact("When did it happen")
    child.sendline("31/02/2026 18:40")  # no such day: asked again, nothing lost
    see(child, "is not a date and time")
    child.expect_exact("When did it happen")
    child.sendline("03/07/2026 18:40")  # 3 July, UK time (BST)
    child.expect_exact("Location")
    child.sendline("")  # required: asked again
    see(child, "the location is required; please try again")
    child.expect_exact("Location")
    child.sendline("Electric Avenue")
    child.expect_exact("blank for none): ")
    interrupt(child, "Stopped. Nothing is lost")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not store.exists() or not list(store.glob("BWV-*"))
    (draft,) = (tmp_path / "state" / "bwvdisclose").glob("intake-draft-*.json")
    assert oct(draft.stat().st_mode & 0o777) == "0o600"

    child = spawn("new", store=store, env=_intake_env(tmp_path))
    see(child, "Resuming the intake you started earlier")
    child.expect_exact("Incident reference [CAD 88/03JUL]")
    child.sendline("")
    child.expect_exact("[03/07/2026 18:40]")
    child.sendline("")
    child.expect_exact("Location [Electric Avenue]")
    child.sendline("")
    child.expect_exact("BWV clip references")
    child.sendline("BWV-9")
    see(child, "Opened BWV-")
    answer(child, "What kind of incident", "quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not draft.exists()  # the case holds it now
    (log,) = store.glob("BWV-*/events.jsonl")
    opened = json.loads(log.read_text().splitlines()[0])
    assert opened["occurred"] == "2026-07-03T17:40:00.000000Z"
    assert (opened["incident_ref"], opened["location"], opened["clips"]) == (
        "CAD 88/03JUL",
        "Electric Avenue",
        ["BWV-9"],
    )


def _case_from(store: Path, answers: dict[str, object], tmp_path: Path) -> str:
    import subprocess

    import yaml

    path = tmp_path / "answers.yaml"
    path.write_text(
        yaml.safe_dump({k: {"value": v, "rationale": "Seen"} for k, v in answers.items()})
    )
    intake = ["--incident-ref", "CAD 5/29NOV", "--occurred", "29/11/2026 10:00", "--location", "X"]
    done = subprocess.run(
        [*BIN, "new", *intake, "--answers", str(path), "--store", str(store)],
        env=ENV, cwd=str(ROOT), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_settled_recommendation_offers_the_rest_and_stops_on_enter(tmp_path: Path) -> None:
    store = tmp_path / "store"
    answers = {
        "incident.type": "arrest",
        "force.shown": False,
        "media.viral": True,
        "media.allegations": [],
        "tension.significant_concern": False,
        "appeal.active": False,
    }
    case_id = _case_from(store, answers, tmp_path)
    child = spawn("assess", case_id, store=store)
    answer(child, "general challenge officers faced", "n")
    child.expect_exact("Rationale")
    child.sendline("One arrest, no wider disorder")
    see(child, "The recommendation is settled: DO NOT PUBLISH.")
    see(child, "they matter only if the decision maker departs from it.")
    answer(child, "Answer them now?", "")
    see(child, "Recommendation: DO NOT PUBLISH")
    see(child, "9 question(s) left unanswered: they cannot change the recommendation.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = (store / case_id / "events.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["recommendation"]["outcome"] == "do_not_publish"


def test_after_refer_the_screen_says_what_to_send_to_whom(tmp_path: Path) -> None:
    store = tmp_path / "store"
    answers = {
        "incident.type": "protest", "force.shown": False, "media.viral": False,
        "media.allegations": [], "tension.significant_concern": False, "appeal.active": False,
        "challenge.conveys_general_challenge": True, "challenge.setting": "protest",
        "dp.identifiable_third_parties": True, "dp.children_or_vulnerable": False,
        "dp.sensitive_data": False, "law.statutory_anonymity": False,
        "dp.redaction_feasible": True, "dp.lawful_basis_confirmed": True,
        "legal.active_proceedings": False, "conduct.concerns_identified": False,
        "officers.safety_risk": False,
    }  # fmt: skip
    case_id = _case_from(store, answers, tmp_path)
    child = spawn("assess", case_id, store=store)
    answer(child, "What is the IOPC position?", "c")
    child.expect_exact("Rationale")
    child.sendline("IOPC letter of 28/11")
    answer(child, "Advice from the IOPC", "a")  # pending
    child.expect_exact("Rationale")
    child.sendline("Asked by email today")
    see(child, "Recommendation: REFER")
    see(child, "Next steps: send 1 advice request(s), one per referral.")
    see(child, "1. To: Independent Office for Police Conduct (referral iopc)")
    see(child, "- What is the IOPC position? investigating (IOPC letter of 28/11)")
    see(child, "What is proposed: if no referral objects, publish with redactions, with: Mask")
    see(child, "What to ask: Advice from the IOPC; reply one of: no_objection")
    see(child, f"Record the reply: bwvdisclose assess {case_id} --answer iopc.advice=REPLY")
    see(child, "Redactions identified so far")
    see(child, "- third_parties: Mask identifiable third parties")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_decide_asks_what_was_done_about_each_condition(tmp_path: Path) -> None:
    """At a terminal, `decide` asks a note for each condition a --note did not give."""
    from tests.flow.conftest import DEMO, INTAKE, REVIEW_BY

    store = tmp_path / "store"
    opened = subprocess.run(
        [*BIN, "new", *INTAKE, "--answers", str(DEMO), "--store", str(store)],
        env=ENV, cwd=str(ROOT), capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    case_id = opened.stdout.strip().splitlines()[-1]
    child = spawn(
        "decide", case_id, "--outcome", "publish_with_redactions", "--review-by", REVIEW_BY,
        "--note", "amplification_warning=Digital team briefed", store=store,
    )  # fmt: skip
    see(child, "Condition explanatory_context_required: Publish with an explanation")
    child.expect_exact("What was done about it")
    child.sendline("Press statement explains the baton use")
    see(child, "decided publish with redactions")
    see(child, "Condition explanatory_context_required: Press statement explains the baton use")
    child.expect(pexpect.EOF)
    shown = subprocess.run(
        [*BIN, "show", case_id, "--store", str(store), "--format", "json"],
        env=ENV, cwd=str(ROOT), capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    notes = json.loads(shown)["decision"]["condition_notes"]
    assert notes == {
        "amplification_warning": "Digital team briefed",
        "explanatory_context_required": "Press statement explains the baton use",
    }
