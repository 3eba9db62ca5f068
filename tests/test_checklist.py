"""The checklist driven by a scripted prompter, as a duty officer would answer it."""

from __future__ import annotations

from typing import Any

import pytest

from bwvdisclose.checklist import Checklist, applicable, next_question, parse_reply
from bwvdisclose.engine import evaluate
from bwvdisclose.policy import Policy
from bwvdisclose.policy.models import AnswerValue, Question, Section


class Script:
    """A prompter that replies from a list and keeps everything it was shown."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.shown: list[str] = []

    def section(self, section: Section, clauses: list[tuple[str, str]]) -> None:
        self.shown.append(f"SECTION {section.id}")

    def question(self, q: Question, position: int, total: int, current: AnswerValue | None) -> None:
        self.shown.append(f"Q {q.id} {position}/{total} current={current!r}")

    def help(self, q: Question, clauses: list[tuple[str, str]]) -> None:
        self.shown.append(f"HELP {q.id} {[k for k, _ in clauses]}")

    def read(self, prompt: str) -> str:
        if not self.replies:
            raise KeyboardInterrupt  # the officer closed the terminal
        return self.replies.pop(0)

    def say(self, text: str) -> None:
        self.shown.append(f"SAY {text}")


class Sink:
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def record(self, qid: str, value: AnswerValue, rationale: str) -> None:
        self.events.append(("record", qid, value, rationale))

    def change(
        self, qid: str, value: AnswerValue, previous: AnswerValue, rationale: str, reason: str
    ) -> None:
        self.events.append(("change", qid, value, previous, rationale, reason))


def test_first_questions_in_order(policy: Policy) -> None:
    script, sink = Script(["c", "y", "b,c", "n", "none", "quit"]), Sink()
    outcome = Checklist(policy, {}, script, sink).run()
    assert not outcome.finished
    assert sink.events == [
        ("record", "incident.type", "protest", ""),
        ("record", "force.shown", True, ""),
        ("record", "force.types", ["handcuffs_non_compliant", "baton_drawn"], ""),
        ("record", "media.viral", False, ""),
        ("record", "media.allegations", [], ""),
    ]
    assert script.shown[0] == "SECTION context"


def test_rationale_required_where_the_policy_says(policy: Policy) -> None:
    answers = {
        "incident.type": "arrest",
        "force.shown": False,
        "media.viral": False,
        "media.allegations": [],
    }
    script, sink = Script(["n", "", "Tension assessment low", "q"]), Sink()
    Checklist(policy, answers, script, sink).run()
    assert sink.events == [
        ("record", "tension.significant_concern", False, "Tension assessment low")
    ]
    assert any("A reason is required" in s for s in script.shown)


def test_bad_reply_is_explained_and_asked_again(policy: Policy) -> None:
    script, sink = Script(["z", "rave", "d", "q"]), Sink()
    Checklist(policy, {}, script, sink).run()
    assert sink.events == [("record", "incident.type", "unlicensed_music_event", "")]
    says = [s for s in script.shown if s.startswith("SAY")]
    assert len(says) == 2 and "Not recorded" in says[0]


def test_help_shows_cited_clauses(policy: Policy) -> None:
    script = Script(["?", "q"])
    Checklist(policy, {}, script, Sink()).run()
    assert "HELP incident.type ['MEMO', 'NDM']" in script.shown


def test_back_changes_an_answer_with_a_reason(policy: Policy) -> None:
    answers = {"incident.type": "arrest", "force.shown": False}
    script, sink = Script(["back", "y", "Missed the restraint at 02:10", "a", "q"]), Sink()
    Checklist(policy, answers, script, sink).run()
    assert sink.events[0] == (
        "change",
        "force.shown",
        True,
        False,
        "",
        "Missed the restraint at 02:10",
    )
    # force.types now applies and is asked next
    assert sink.events[1] == ("record", "force.types", ["handcuffs_compliant"], "")


def test_enter_keeps_the_current_answer(policy: Policy) -> None:
    answers = {"incident.type": "arrest", "force.shown": False}
    script, sink = Script(["back", "", "q"]), Sink()
    Checklist(policy, answers, script, sink).run()
    assert sink.events == []


def test_resume_starts_at_first_unanswered(policy: Policy) -> None:
    answers = {"incident.type": "arrest", "force.shown": False, "media.viral": True}
    assert next_question(policy, answers) is not None
    assert next_question(policy, answers).id == "media.allegations"  # type: ignore[union-attr]


def test_interrupt_loses_nothing_given(policy: Policy) -> None:
    script, sink = Script(["a", "n"]), Sink()
    with pytest.raises(KeyboardInterrupt):
        Checklist(policy, {}, script, sink).run()
    assert [e[1] for e in sink.events] == ["incident.type", "force.shown"]


def test_full_walk_reaches_a_recommendation(policy: Policy) -> None:
    # Answer every applicable question "no" (or the first choice) and finish.
    answers: dict[str, AnswerValue] = {}
    while (q := next_question(policy, answers)) is not None:
        answers[q.id] = parse_reply(
            q, "n" if q.type == "bool" else ("none" if q.type == "multi" else "a")
        )
    assert evaluate(policy, answers).outcome == "do_not_publish"
    assert all(q.id in answers for q in applicable(policy, answers))


def test_parse_reply_menu_keys(policy: Policy) -> None:
    qs = policy.questions
    assert parse_reply(qs["legal.iopc_status"], "c") == "investigating"
    assert parse_reply(qs["legal.iopc_status"], "referred") == "referred"
    assert parse_reply(qs["media.allegations"], "a, c") == ["racial_profiling", "unlawful_stop"]
    with pytest.raises(ValueError):
        parse_reply(qs["legal.iopc_status"], "x")


def test_menu_keys_win_over_command_words(policy: Policy) -> None:
    script, sink = Script(["b", "q"]), Sink()
    Checklist(policy, {}, script, sink).run()
    assert sink.events == [("record", "incident.type", "arrest", "")]


def test_bad_reply_names_the_keys(policy: Policy) -> None:
    script = Script(["zz", "q"])
    Checklist(policy, {}, script, Sink()).run()
    assert "SAY Not recorded: 'zz'. Type one of a-i; ? for help." in script.shown


def test_revisit_a_question_when_everything_is_answered(policy: Policy) -> None:
    answers: dict[str, AnswerValue] = {}
    while (q := next_question(policy, answers)) is not None:
        answers[q.id] = parse_reply(
            q, "n" if q.type == "bool" else ("none" if q.type == "multi" else "a")
        )
    replies = [
        "y",
        "Threats posted online",
        "New intelligence at 11:00",
        "y",  # the outcome stays settled (no exception met): answer the rest anyway
        "a",
        "Asked the command team",
    ]
    script, sink = Script(replies), Sink()
    outcome = Checklist(policy, answers, script, sink).run(start="officers.safety_risk")
    assert outcome.finished
    assert sink.events == [
        (
            "change",
            "officers.safety_risk",
            True,
            False,
            "Threats posted online",
            "New intelligence at 11:00",
        ),
        ("record", "command.advice", "pending", "Asked the command team"),  # now applies, so asked
    ]


NO_EXCEPTION = {
    "incident.type": "arrest",
    "force.shown": False,
    "media.viral": True,
    "media.allegations": [],
    "tension.significant_concern": False,
    "appeal.active": False,
}


def test_once_the_recommendation_is_settled_the_rest_is_offered_not_forced(
    policy: Policy,
) -> None:
    """After the third exception is answered no, nothing left can change do not publish."""
    script, sink = Script(["n", "Single arrest, no wider disorder", "n"]), Sink()
    outcome = Checklist(policy, NO_EXCEPTION, script, sink).run()
    assert sink.events == [
        ("record", "challenge.conveys_general_challenge", False, "Single arrest, no wider disorder")
    ]
    assert (outcome.finished, outcome.settled, outcome.remaining) == (True, "do_not_publish", 9)
    said = [s for s in script.shown if s.startswith("SAY The recommendation is settled")]
    assert said == [
        "SAY The recommendation is settled: DO NOT PUBLISH. No answer to the 9 question(s) left "
        "can change it; they matter only if the decision maker departs from it."
    ]


def test_the_rest_can_still_be_answered_and_is_offered_once(policy: Policy) -> None:
    answers = {**NO_EXCEPTION, "challenge.conveys_general_challenge": False}
    script, sink = Script(["maybe", "y", "y", "Faces visible", "q"]), Sink()
    outcome = Checklist(policy, answers, script, sink).run()
    assert "SAY Not understood: 'maybe'. Type y or n." in script.shown
    assert sink.events == [("record", "dp.identifiable_third_parties", True, "Faces visible")]
    assert not outcome.finished and outcome.settled is None
    assert sum(s.startswith("SAY The recommendation is settled") for s in script.shown) == 1


def test_nothing_is_settled_while_an_exception_is_open(policy: Policy) -> None:
    from bwvdisclose.checklist import settled

    assert settled(policy, NO_EXCEPTION) is None  # the general challenge is still open
    rec = settled(policy, {**NO_EXCEPTION, "challenge.conveys_general_challenge": False})
    assert rec is not None and rec.outcome == "do_not_publish"
    assert rec.conditions == ["consider_context_statement"]
    met = {
        **NO_EXCEPTION,
        "challenge.conveys_general_challenge": True,
        "challenge.setting": "protest",
    }
    assert settled(policy, met) is None  # data protection and referrals still decide


def test_a_rationale_with_hidden_characters_or_too_long_is_asked_again(policy: Policy) -> None:
    answers = {k: v for k, v in NO_EXCEPTION.items() if k != "appeal.active"}
    replies = ["n", "bad\x1b[31m", "x" * 5000, "No appeal planned", "q"]
    script, sink = Script(replies), Sink()
    Checklist(policy, answers, script, sink).run()
    assert sink.events == [("record", "appeal.active", False, "No appeal planned")]
    assert any("holds a control, invisible or direction-changing" in s for s in script.shown)
    assert any("Keep it under 4000 characters" in s for s in script.shown)
