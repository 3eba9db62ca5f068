"""What the engine returns: a recommendation and its trace, as frozen data classes.

Plain `@frozen` classes, not pydantic: the engine builds these from checked data, and
`evaluate` must start without building validators. `to_json` gives the same mapping,
key for key, that case events, `evaluate --format json` and `show` have always carried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from bwvdisclose.frozen import as_data, fields, frozen, replace
from bwvdisclose.policy.models import AnswerValue, PolicyRef


@frozen
class TraceAnswer:
    id: str
    value: AnswerValue
    rationale: str = ""


@frozen
class TraceItem:
    """One exception, fact, step, referral, redaction or condition, and how it came out."""

    kind: str
    id: str
    title: str
    held: bool | None
    applies: bool = True
    reached: bool = True
    answers: list[TraceAnswer]
    missing: list[str] = field(default_factory=list)
    advice: str | None = None
    cites: list[str]
    clauses: list[str]


@frozen
class Change:
    id: str
    before: AnswerValue | None
    after: AnswerValue

    def to_json(self) -> dict[str, Any]:
        return as_data(self)  # type: ignore[no-any-return]


@frozen
class Flip:
    """A set of answer changes that would give a different outcome.

    `missing` lists what must then be answered when the change leaves the case `incomplete`.
    """

    changes: list[Change]
    outcome: str
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return as_data(self)  # type: ignore[no-any-return]


@frozen
class AlsoApplies:
    """Blocks and referrals whose rule holds on the answers, though an earlier step decided."""

    blocked_by: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)


@frozen
class Recommendation:
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
    would_also_apply: AlsoApplies = field(default_factory=AlsoApplies)
    trace: list[TraceItem]

    def to_json(self) -> dict[str, Any]:
        return as_data(self)  # type: ignore[no-any-return]

    def summary(self) -> dict[str, Any]:
        """The result without the trace: what a case event or an audit row keeps.

        `would_also_apply` is left out too: it follows from the answers, and case logs
        written before it existed must not read as a changed recommendation.
        """
        return {
            name: as_data(getattr(self, name))
            for name in fields(self)
            if name not in ("trace", "would_also_apply")
        }

    def with_rationales(self, rationales: Mapping[str, str]) -> Recommendation:
        """The same result with each trace answer carrying the rationale given for it."""
        trace = [
            replace(t, answers=[replace(a, rationale=rationales.get(a.id, "")) for a in t.answers])
            for t in self.trace
        ]
        return replace(self, trace=trace)

    def items(self, kind: str, reached: bool | None = True) -> list[TraceItem]:
        """Trace items of `kind`: those the evaluation reached (default), not reached, or all."""
        return [
            t for t in self.trace if t.kind == kind and (reached is None or t.reached == reached)
        ]
