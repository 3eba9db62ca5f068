"""One case, worked out once: the view the terminal, the JSON and the record all show.

`case_view(state, policy)` evaluates the case's current answers once (the rationales
travelling with them), finds what would change the outcome, what applies to the outcome
actually decided, where the case stands and who must still sign. `show`, the checklist's
summary, `show --format json` and the decision record read this object; none of them
calls the engine again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bwvdisclose.case import CaseState
from bwvdisclose.cases import current_values, status
from bwvdisclose.engine import addenda_for, conditions_on, evaluate
from bwvdisclose.policy.models import Policy
from bwvdisclose.recommendation import Flip, Recommendation
from bwvdisclose.signoff import missing_roles, required_roles
from bwvdisclose.whatif import what_would_change


@dataclass(frozen=True)
class Decided:
    """What goes with the outcome decided (for a departure, not what was recommended)."""

    outcome: str
    departure: bool
    redactions: list[str]
    conditions: list[str]


@dataclass(frozen=True)
class CaseView:
    state: CaseState
    policy: Policy
    status: str
    recommendation: Recommendation
    flips: list[Flip]
    decided: Decided | None
    required_roles: list[str]
    missing_roles: list[str]

    def to_json(self) -> dict[str, Any]:
        """The case as JSON: state, recommendation with every consideration, and the history."""
        s = self.state
        return {
            "case_id": s.case_id,
            "status": self.status,
            "intake": s.intake.model_dump(mode="json"),
            "policy": s.policy.to_json(),
            "footage": [
                f.model_dump(mode="json", include={"name", "size", "sha256", "at", "seq"})
                for f in s.footage
            ],
            "answers": {k: a.model_dump(mode="json") for k, a in s.answers.items()},
            "recommendation": self.recommendation.to_json(),
            "what_would_change": [f.to_json() for f in self.flips],
            "decision": s.decision.model_dump(mode="json") if s.decision else None,
            "decided": None
            if self.decided is None
            else {
                "outcome": self.decided.outcome,
                "departure": self.decided.departure,
                "redactions": self.decided.redactions,
                "conditions": self.decided.conditions,
            },
            "signoffs": [
                {**o.model_dump(mode="json", exclude={"certificate"}), "current": s.is_current(o)}
                for o in s.signoffs
            ],
            "signoffs_required": self.required_roles,
            "still_needed": self.missing_roles,
            "records": [r.model_dump(mode="json") for r in s.records],
            "releases": [r.model_dump(mode="json") for r in s.releases],
            "withdrawals": [w.model_dump(mode="json") for w in s.withdrawals],
            "history": [e.model_dump(mode="json") for e in s.history],
            "head": s.head,
            "events": s.last_seq,
        }


def case_view(state: CaseState, policy: Policy) -> CaseView:
    """Evaluate the case once and gather everything a person reads about it."""
    answers = current_values(state)
    rec = evaluate(policy, answers).with_rationales(
        {k: a.rationale for k, a in state.answers.items()}
    )
    flips = what_would_change(policy, answers, rec)
    decided = None
    if state.decision is not None:
        outcome = state.decision.outcome
        if outcome == rec.outcome:
            redactions, conditions = rec.redactions, rec.conditions
        else:  # as `Cases.decision_conditions`: what the decision itself was held to
            redactions, _ = addenda_for(policy, answers, outcome)
            conditions, _ = conditions_on(policy, answers, outcome, None)
        decided = Decided(outcome, state.decision.departure, redactions, conditions)
    return CaseView(
        state=state,
        policy=policy,
        status=status(state, policy),
        recommendation=rec,
        flips=flips,
        decided=decided,
        required_roles=required_roles(policy, state.decision.outcome) if state.decision else [],
        missing_roles=missing_roles(state, policy),
    )
