"""The schema of a policy file: frozen, strict pydantic models that validate it.

`policy.load` validates a policy file with these, then `compile_policy` turns the result
into the plain data classes of `policy.models`, which is what the engine and everything
else use. The two sets of classes carry the same names and fields (a test holds them
to it); only these know how to check a file and say what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from bwvdisclose.frozen import fields
from bwvdisclose.policy import models
from bwvdisclose.policy.models import ID_PATTERN, Outcome, QuestionType, Role


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


# --- conditions ---------------------------------------------------------------------------


class Compare(Strict):
    """A test of one answer: `{q: ID, eq: V}`, `ne`, `in`, `contains` (multi) or `answered`."""

    q: str = Field(pattern=ID_PATTERN)
    eq: bool | str | None = None
    ne: bool | str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    contains: str | None = None
    nonempty: bool | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_test(self) -> Compare:
        tests = [self.eq, self.ne, self.in_, self.contains, self.nonempty]
        if sum(t is not None for t in tests) != 1:
            raise ValueError("give exactly one of eq, ne, in, contains, nonempty")
        return self


class Ref(Strict):
    """A reference to a named fact, exception or rule computed earlier: `{ref: NAME}`."""

    ref: str


class All(Strict):
    all: list[Condition] = Field(min_length=1)


class Any_(Strict):
    any: list[Condition] = Field(min_length=1)


class Not(Strict):
    not_: Condition = Field(alias="not")

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)


class Always(Strict):
    always: Literal[True]


_KEYS: dict[type, str] = {
    Compare: "q", Ref: "ref", All: "all", Any_: "any", Not: "not", Always: "always"
}  # fmt: skip


def _condition_key(value: object) -> str | None:
    """Which kind of condition a mapping is, by its first key (q, ref, all, any, not, always).

    Choosing the kind first means a mistake is reported once, against that kind, rather
    than once for every kind of condition it failed to be.
    """
    if isinstance(value, dict):
        return next((key for key in _KEYS.values() if key in value), None)
    return _KEYS.get(type(value))


Condition = Annotated[
    Annotated[Compare, Tag("q")]
    | Annotated[Ref, Tag("ref")]
    | Annotated[All, Tag("all")]
    | Annotated[Any_, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Always, Tag("always")],
    Discriminator(
        _condition_key,
        custom_error_type="condition",
        custom_error_message="a condition needs one of the keys q, ref, all, any, not, always",
    ),
]
All.model_rebuild()
Any_.model_rebuild()
Not.model_rebuild()


# --- sources, questions, sections -------------------------------------------------------


class Source(Strict):
    title: str
    clause: str = Field(description="The quoted clause, shown beside every rule that cites it.")
    reference: str = ""


class Question(Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    prompt: str
    help: str = ""
    choices: list[str] | None = None
    choice_labels: dict[str, str] = Field(default_factory=dict)
    ask_when: Condition | None = None
    default: str | None = Field(
        default=None, description="Value assumed when unanswered (choice questions only)."
    )
    cites: list[str] = Field(min_length=1)
    rationale_required: bool = False

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Question:
        if self.type in ("choice", "multi"):
            if not self.choices:
                raise ValueError(f"a {self.type} question needs choices")
            if len(set(self.choices)) != len(self.choices):
                raise ValueError("choices repeat")
        elif self.choices is not None:
            raise ValueError(f"a {self.type} question takes no choices")
        if self.default is not None and (
            self.type != "choice" or self.default not in (self.choices or [])
        ):
            raise ValueError("default must be one of the choices of a choice question")
        unknown = set(self.choice_labels) - set(self.choices or [])
        if unknown:
            raise ValueError(f"choice_labels name unknown choices: {sorted(unknown)}")
        return self


class Section(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    intro: str = ""
    cites: list[str] = Field(min_length=1)
    record_part: Literal["information", "risk", "policy"] = Field(
        default="policy", description="Where the decision record (NDM order) shows this section."
    )
    questions: list[Question] = Field(min_length=1)


# --- rules --------------------------------------------------------------------------------


class Rule(Strict):
    """What every rule has: an ID, a title a person reads, and the sources it cites."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    cites: list[str] = Field(min_length=1)


class Fact(Rule):
    """A named intermediate condition (e.g. `protect`), referable as `{ref: id}`."""

    when: Condition


class Exception_(Fact):
    """An exception to the default, referable as `{ref: exception.<id>}`."""


class Referral(Rule):
    trigger: Condition
    advice: str = Field(pattern=ID_PATTERN, description="The question holding the advice.")


class OutcomeRule(Fact):
    """A redaction or condition attached to certain outcomes (and, optionally, deciding steps)."""

    applies_to: list[Outcome] = Field(min_length=1)
    steps: list[str] = Field(default_factory=list)


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
    block_on: list[str] = Field(default_factory=list)
    refer_on: list[str] = Field(default_factory=list)
    block_outcome: Outcome = "do_not_publish"

    @model_validator(mode="after")
    def _shape(self) -> Step:
        if self.kind == "rule" and (self.when is None or self.outcome is None):
            raise ValueError("a rule step needs `when` and `outcome`")
        if self.kind == "referrals" and not (self.block_on or self.refer_on):
            raise ValueError("a referrals step needs block_on or refer_on")
        return self


class Policy(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: str
    effective: dt.date
    status: str = "in force"
    notice: str = ""
    sources: dict[str, Source]
    sections: list[Section] = Field(min_length=1)
    facts: list[Fact] = Field(default_factory=list)
    exceptions: list[Exception_] = Field(default_factory=list)
    referrals: list[Referral] = Field(default_factory=list)
    redactions: list[OutcomeRule] = Field(default_factory=list)
    conditions: list[OutcomeRule] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    signoffs: dict[Outcome, list[Role]]
    sha256: str = Field(default="", description="Filled in by the loader from the policy files.")


def compile_policy(policy: Policy) -> models.Policy:
    """The validated policy as the plain data classes of `policy.models`, field for field."""
    compiled = _compiled(policy)
    assert isinstance(compiled, models.Policy)
    return compiled


def _compiled(value: Any) -> Any:
    if isinstance(value, BaseModel):
        cls = models.CLASSES[type(value).__name__]
        return cls(**{name: _compiled(getattr(value, name)) for name in fields(cls)})
    if isinstance(value, list):
        return [_compiled(v) for v in value]
    if isinstance(value, dict):
        return {k: _compiled(v) for k, v in value.items()}
    return value
