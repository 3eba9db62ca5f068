"""A disclosure policy as the engine runs it: plain frozen data classes (`@frozen`).

A policy is data: questions grouped in sections, and rules written as conditions
over answers. The engine evaluates any policy of this shape; nothing in Python
names a question of a particular policy.

These classes hold a policy already checked: `policy.schema` holds the pydantic models
that validate a policy file, and `policy.load` turns a validated file into these (or
reads them from the compiled-policy cache). Keeping pydantic out of this module lets
`evaluate` and the checklist start without building a single validator. `PolicyRef`,
which case events carry, is a standard dataclass so that pydantic can validate it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal

from bwvdisclose.frozen import frozen

AnswerValue = bool | str | list[str]
QuestionType = Literal["bool", "choice", "multi", "text"]
Outcome = Literal["publish", "publish_with_redactions", "do_not_publish", "refer", "incomplete"]
Role = Literal["decision_maker", "legal", "data_protection"]
OUTCOMES: tuple[str, ...] = (
    "publish",
    "publish_with_redactions",
    "do_not_publish",
    "refer",
    "incomplete",
)
DECIDABLE_OUTCOMES: tuple[str, ...] = ("publish", "publish_with_redactions", "do_not_publish")

ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
KEY_PATTERN = r"^[A-Z][A-Z0-9-]*$"


# --- conditions ---------------------------------------------------------------------------


@frozen
class Compare:
    """A test of one answer: `{q: ID, eq: V}`, `ne`, `in`, `contains` (multi) or `answered`."""

    q: str
    eq: bool | str | None = None
    ne: bool | str | None = None
    in_: list[str] | None = None
    contains: str | None = None
    nonempty: bool | None = None


@frozen
class Ref:
    """A reference to a named fact, exception or rule computed earlier: `{ref: NAME}`."""

    ref: str


@frozen
class All:
    all: list[Condition]


@frozen
class Any_:
    any: list[Condition]


@frozen
class Not:
    not_: Condition


@frozen
class Always:
    always: Literal[True] = True


Condition = Compare | Ref | All | Any_ | Not | Always


# --- sources, questions, sections -------------------------------------------------------


@frozen
class Source:
    title: str
    clause: str  # the quoted clause, shown beside every rule that cites it
    reference: str = ""


@frozen
class Question:
    id: str
    type: QuestionType
    prompt: str
    help: str = ""
    choices: list[str] | None = None
    choice_labels: dict[str, str] = field(default_factory=dict)
    ask_when: Condition | None = None
    default: str | None = None  # the value assumed when unanswered (choice questions only)
    cites: list[str]
    rationale_required: bool = False


@frozen
class Section:
    id: str
    title: str
    intro: str = ""
    cites: list[str]
    record_part: Literal["information", "risk", "policy"] = "policy"  # where the record shows it
    questions: list[Question]


# --- rules --------------------------------------------------------------------------------


@frozen
class Rule:
    """What every rule has: an ID, a title a person reads, and the sources it cites."""

    id: str
    title: str
    cites: list[str]


@frozen
class Fact(Rule):
    """A named intermediate condition (e.g. `protect`), referable as `{ref: id}`."""

    when: Condition


@frozen
class Exception_(Fact):
    """An exception to the default, referable as `{ref: exception.<id>}`."""


@frozen
class Referral(Rule):
    trigger: Condition
    advice: str  # the question holding the advice


@frozen
class OutcomeRule(Fact):
    """A redaction or condition attached to certain outcomes (and, optionally, deciding steps)."""

    applies_to: list[Outcome]
    steps: list[str] = field(default_factory=list)


@frozen
class Step(Rule):
    """One step of the decision table. Steps run in order; the first that decides stops.

    kind `rule`: when `when` holds, the outcome is `outcome` (blocked by `block`, if given).
    kind `referrals`: every referral whose trigger holds is consulted; advice in `block_on`
    blocks with the referral's id as the block, advice in `refer_on` gives outcome `refer`.
    """

    kind: Literal["rule", "referrals"] = "rule"
    when: Condition | None = None
    outcome: Outcome | None = None
    block: str | None = None
    block_on: list[str] = field(default_factory=list)
    refer_on: list[str] = field(default_factory=list)
    block_outcome: Outcome = "do_not_publish"


@frozen
class Policy:
    id: str
    version: str
    title: str
    effective: dt.date
    status: str = "in force"
    notice: str = ""
    sources: dict[str, Source]
    sections: list[Section]
    facts: list[Fact] = field(default_factory=list)
    exceptions: list[Exception_] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    redactions: list[OutcomeRule] = field(default_factory=list)
    conditions: list[OutcomeRule] = field(default_factory=list)
    steps: list[Step]
    signoffs: dict[Outcome, list[Role]]
    sha256: str = ""  # filled in by the loader from the policy files

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for s in self.sections for q in s.questions}

    @cached_property
    def named_conditions(self) -> dict[str, Condition]:
        """What `{ref: NAME}` names: each fact by its ID, each exception as `exception.ID`."""
        named: dict[str, Condition] = {f.id: f.when for f in self.facts}
        named.update({f"exception.{e.id}": e.when for e in self.exceptions})
        return named

    def question(self, qid: str) -> Question:
        return self.questions[qid]


@dataclass(frozen=True, kw_only=True)
class PolicyRef:
    """Names the exact policy version used: stored in case events and records.

    Case events (pydantic models) hold it as a field: they accept it as an instance or
    as a mapping of exactly these three keys.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "strict": False}

    id: str
    version: str
    sha256: str

    @classmethod
    def of(cls, policy: Policy) -> PolicyRef:
        return cls(id=policy.id, version=policy.version, sha256=policy.sha256)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


# Every class a compiled policy is made of, by name (the loader and the cache use this).
CLASSES: dict[str, type] = {
    c.__name__: c
    for c in (
        Compare, Ref, All, Any_, Not, Always, Source, Question, Section, Rule, Fact, Exception_,
        Referral, OutcomeRule, Step, Policy,
    )
}  # fmt: skip
