"""What the engine returns: a recommendation and its trace, as frozen models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from bwvdisclose.policy.models import AnswerValue, PolicyRef


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TraceAnswer(_Frozen):
    id: str
    value: AnswerValue


class TraceItem(_Frozen):
    """One exception, fact, step, referral, redaction or condition, and how it came out."""

    kind: str
    id: str
    title: str
    held: bool | None
    applies: bool = True
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
    """A set of answer changes that would give a different outcome."""

    changes: list[Change]
    outcome: str


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
    trace: list[TraceItem]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def summary(self) -> dict[str, Any]:
        """The result without the trace: what a case event or an audit row keeps."""
        return self.model_dump(mode="json", exclude={"trace"})

    def items(self, kind: str) -> list[TraceItem]:
        return [t for t in self.trace if t.kind == kind]
