"""What the engine returns: a recommendation and its trace, as frozen models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from bwvdisclose.policy.models import AnswerValue, PolicyRef


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TraceAnswer(_Frozen):
    id: str
    value: AnswerValue
    rationale: str = ""


class TraceItem(_Frozen):
    """One exception, fact, step, referral, redaction or condition, and how it came out."""

    kind: str
    id: str
    title: str
    held: bool | None
    applies: bool = True
    reached: bool = True
    answers: list[TraceAnswer]
    missing: list[str] = []
    advice: str | None = None
    cites: list[str]
    clauses: list[str]


class Change(_Frozen):
    id: str
    before: AnswerValue | None
    after: AnswerValue


class Flip(_Frozen):
    """A set of answer changes that would give a different outcome.

    `missing` lists what must then be answered when the change leaves the case `incomplete`.
    """

    changes: list[Change]
    outcome: str
    missing: list[str] = []


class AlsoApplies(_Frozen):
    """Blocks and referrals whose rule holds on the answers, though an earlier step decided."""

    blocked_by: list[str] = []
    referrals: list[str] = []


class Recommendation(_Frozen):
    outcome: str
    decided_by: str | None
    exceptions_met: list[str]
    blocked_by: list[str]
    referrals: list[str]
    referrals_triggered: list[str]
    conditions: list[str]
    redactions: list[str]
    missing: list[str]
    policy: PolicyRef
    would_also_apply: AlsoApplies = AlsoApplies()
    trace: list[TraceItem]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def summary(self) -> dict[str, Any]:
        """The result without the trace: what a case event or an audit row keeps.

        `would_also_apply` is left out too: it follows from the answers, and case logs
        written before it existed must not read as a changed recommendation.
        """
        return self.model_dump(mode="json", exclude={"trace", "would_also_apply"})

    def with_rationales(self, rationales: Mapping[str, str]) -> Recommendation:
        """The same result with each trace answer carrying the rationale given for it."""
        trace = [
            t.model_copy(
                update={
                    "answers": [
                        a.model_copy(update={"rationale": rationales.get(a.id, "")})
                        for a in t.answers
                    ]
                }
            )
            for t in self.trace
        ]
        return self.model_copy(update={"trace": trace})

    def items(self, kind: str, reached: bool | None = True) -> list[TraceItem]:
        """Trace items of `kind`: those the evaluation reached (default), not reached, or all."""
        return [
            t for t in self.trace if t.kind == kind and (reached is None or t.reached == reached)
        ]
