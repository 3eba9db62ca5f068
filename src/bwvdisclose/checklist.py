"""The duty officer's checklist: which question next, and what a reply means.

The checklist talks to a `Prompter` (the terminal, or a script in tests) and saves
through an `AnswerSink` (the case store): every answer is saved as it is given, so
an interrupted checklist resumes at the first unanswered question. Nothing here
reads a terminal or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bwvdisclose.answers import MAX_TEXT, check_value, parse_text_value
from bwvdisclose.engine import evaluate, holds
from bwvdisclose.explain import OUTCOME_TEXT, show_value
from bwvdisclose.policy.models import AnswerValue, Policy, Question, Section
from bwvdisclose.recommendation import Recommendation
from bwvdisclose.safetext import WHAT, hidden_char

# Menu keys (a, b, ... or y, n) win over these words; `b` is a menu key, never "back".
BACK_WORDS = {"back", "<"}
QUIT_WORDS = {"quit", "q", "exit"}
HELP_WORDS = {"?", "help"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Prompter(Protocol):
    def section(self, section: Section, clauses: list[tuple[str, str]]) -> None: ...

    def question(
        self, q: Question, position: int, total: int, current: AnswerValue | None
    ) -> None: ...

    def help(self, q: Question, clauses: list[tuple[str, str]]) -> None: ...

    def read(self, prompt: str) -> str: ...

    def say(self, text: str) -> None: ...


class AnswerSink(Protocol):
    def record(self, qid: str, value: AnswerValue, rationale: str) -> None: ...

    def change(
        self, qid: str, value: AnswerValue, previous: AnswerValue, rationale: str, reason: str
    ) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """How a checklist run ended: finished (every question that decides answered) or stopped.

    `settled` is the outcome when the officer stopped once the recommendation was settled,
    leaving `remaining` questions that matter only if the decision maker departs from it.
    """

    finished: bool
    asked: int
    settled: str | None = None
    remaining: int = 0


class Quit(Exception):
    """The officer typed quit: everything given so far is already saved."""


def applicable(policy: Policy, answers: Mapping[str, AnswerValue]) -> list[Question]:
    """Questions that apply now, in checklist order."""
    return [
        q
        for s in policy.sections
        for q in s.questions
        if q.ask_when is None or holds(policy, q.ask_when, answers) is True
    ]


def next_question(policy: Policy, answers: Mapping[str, AnswerValue]) -> Question | None:
    return next((q for q in applicable(policy, answers) if q.id not in answers), None)


def settled(policy: Policy, answers: Mapping[str, AnswerValue]) -> Recommendation | None:
    """The recommendation, if no unanswered question can change any part of it, else None.

    Settled means a definite outcome whose exceptions, referrals, redactions and conditions
    are all known: the questions still open matter only to a departure from it.
    """
    rec = evaluate(policy, answers)
    if rec.outcome == "incomplete" or rec.missing:
        return None
    open_kinds = ("exception", "referral", "redaction", "condition", "step")
    # rules past the deciding step (reached=False) are shown, but cannot settle anything
    if any(t.kind in open_kinds and t.held is None and t.applies and t.reached for t in rec.trace):
        return None
    # A question with a default (advice: pending) is assumed, not known: try its answers.
    summary = rec.summary()
    for q in applicable(policy, answers):
        if q.id in answers or q.default is None:
            continue
        for value in q.choices or []:
            if evaluate(policy, {**answers, q.id: value}, explain=False).summary() != summary:
                return None
    return rec


def section_of(policy: Policy, qid: str) -> Section:
    return next(s for s in policy.sections if any(q.id == qid for q in s.questions))


def clauses(policy: Policy, keys: list[str]) -> list[tuple[str, str]]:
    return [(k, policy.sources[k].clause) for k in keys]


def options(q: Question) -> list[tuple[str, str, str]]:
    """The menu for a question: (key typed, value, label)."""
    if q.type == "bool":
        return [("y", "yes", "Yes"), ("n", "no", "No")]
    return [
        (LETTERS[i] if i < len(LETTERS) else str(i + 1), c, q.choice_labels.get(c, c))
        for i, c in enumerate(q.choices or [])
    ]


def parse_reply(q: Question, text: str) -> AnswerValue:
    """A typed reply: a menu key, a choice name, or for multi several keys (`a,c`, `none`)."""
    menu = {key: value for key, value, _ in options(q)}
    text = text.strip()
    if q.type == "multi":
        if text.lower() in ("none", "-", "0"):
            return []
        parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
        return check_value(q, [menu.get(p.lower(), p) for p in parts])
    if q.type == "choice" and text.lower() in menu:
        return check_value(q, menu[text.lower()])
    return parse_text_value(q, text)


def _keys_text(q: Question) -> str:
    keys = [key for key, _, _ in options(q)]
    listed = " or ".join(keys) if len(keys) <= 2 else f"one of {keys[0]}-{keys[-1]}"
    return f"{listed}, separated by commas, or none" if q.type == "multi" else listed


class Checklist:
    """Walks the applicable questions, saving each reply through the sink."""

    def __init__(
        self,
        policy: Policy,
        answers: Mapping[str, AnswerValue],
        prompter: Prompter,
        sink: AnswerSink,
    ) -> None:
        self.policy = policy
        self.answers = dict(answers)
        self.prompter = prompter
        self.sink = sink
        self.trail: list[str] = [
            q.id for q in applicable(policy, self.answers) if q.id in self.answers
        ]
        self.asked = 0
        self.offered = False  # the rest is offered once a run, when the outcome is settled

    def run(self, start: str | None = None) -> Outcome:
        """Ask what decides; once the recommendation is settled, offer the rest.

        `start` revisits that question first.
        """
        if start is not None and start not in self.policy.questions:
            raise ValueError(f"unknown question {start}")
        shown: str | None = None
        revisit: str | None = start
        try:
            while True:
                q = (
                    self.policy.question(revisit)
                    if revisit
                    else next_question(self.policy, self.answers)
                )
                if q is None:
                    return Outcome(True, self.asked)
                if revisit is None and not self.offered:
                    stop = self._offer_rest()
                    if stop is not None:
                        return stop
                section = section_of(self.policy, q.id)
                if section.id != shown:
                    self.prompter.section(section, clauses(self.policy, section.cites))
                    shown = section.id
                revisit = self._ask(q)
        except Quit:
            return Outcome(False, self.asked)

    def _offer_rest(self) -> Outcome | None:
        """When the recommendation is settled, say so and ask whether to go on; None: go on."""
        rec = settled(self.policy, self.answers)
        if rec is None:
            return None
        self.offered = True
        rest = [q for q in applicable(self.policy, self.answers) if q.id not in self.answers]
        text = OUTCOME_TEXT.get(rec.outcome, rec.outcome)
        self.prompter.say(
            f"The recommendation is settled: {text}. No answer to the {len(rest)} question(s) "
            "left can change it; they matter only if the decision maker departs from it."
        )
        while True:
            reply = self.prompter.read("Answer them now? (y/n; Enter for no)").strip().lower()
            if reply in ("y", "yes"):
                return None
            if reply in ("", "n", "no") or reply in QUIT_WORDS:
                return Outcome(True, self.asked, settled=rec.outcome, remaining=len(rest))
            self.prompter.say(f"Not understood: {reply!r}. Type y or n.")

    def _ask(self, q: Question) -> str | None:
        """Ask one question; return the ID of a question to revisit (after `back`), if any."""
        live = applicable(self.policy, self.answers)
        position = [x.id for x in live].index(q.id) + 1 if q in live else len(live)
        current = self.answers.get(q.id)
        self.prompter.question(q, position, len(live), current)
        while True:
            reply = self.prompter.read(self._hint(q, current)).strip()
            word = reply.lower()
            if word in {key for key, _, _ in options(q)}:
                pass  # a menu key is an answer, whatever else it might spell
            elif word in QUIT_WORDS:
                raise Quit
            elif word in HELP_WORDS:
                self.prompter.help(q, clauses(self.policy, q.cites))
                continue
            elif word in BACK_WORDS:
                previous = self._previous(q.id)
                if previous is None:
                    self.prompter.say("This is the first question: nothing to go back to.")
                    continue
                return previous
            if reply == "" and current is not None:
                return None  # keep the current answer
            try:
                value = parse_reply(q, reply)
            except ValueError:
                self.prompter.say(f"Not recorded: {reply!r}. Type {_keys_text(q)}; ? for help.")
                continue
            self._save(q, value, current)
            return None

    def _hint(self, q: Question, current: AnswerValue | None) -> str:
        keep = f", Enter keeps {show_value(current)}" if current is not None else ""
        kind = "keys separated by commas, or none" if q.type == "multi" else "a key"
        return f"Answer ({kind}; ? help, back, quit{keep})"

    def _previous(self, qid: str) -> str | None:
        if qid in self.trail:
            index = self.trail.index(qid)
            return self.trail[index - 1] if index > 0 else None
        return self.trail[-1] if self.trail else None

    def _save(self, q: Question, value: AnswerValue, current: AnswerValue | None) -> None:
        if current is not None and value == current:
            return
        rationale = (
            self._required(q, "Rationale (one line, required)") if q.rationale_required else ""
        )
        if current is None:
            self.sink.record(q.id, value, rationale)
            self.trail.append(q.id)
        else:
            reason = self._required(
                q, f"Why change from {show_value(current)} to {show_value(value)}?"
            )
            self.sink.change(q.id, value, current, rationale, reason)
        self.answers[q.id] = value
        self.asked += 1

    def _required(self, q: Question, prompt: str) -> str:
        while True:
            text = self.prompter.read(prompt).strip()
            if text.lower() in QUIT_WORDS:
                raise Quit
            if not text:
                self.prompter.say("A reason is required for this answer; it goes on the record.")
            elif len(text) > MAX_TEXT:
                self.prompter.say(f"Keep it under {MAX_TEXT} characters; please type it again.")
            elif problem := hidden_char(text):
                self.prompter.say(f"It holds {WHAT} ({problem}); please type it again.")
            else:
                return text
