"""Working on cases: open, answer, recompute, decide. The core the CLI commands call.

Answers flow one way: answers -> engine -> recommendation -> case events. Every
change is an event in the case's log; nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bwvdisclose.answers import Answer
from bwvdisclose.case import (
    Actor,
    AnswerChanged,
    AnswerRecorded,
    CaseState,
    CaseStore,
    DecisionRecorded,
    PolicyApproval,
    RecommendationComputed,
    SignoffRecorded,
    fold,
)
from bwvdisclose.engine import evaluate
from bwvdisclose.errors import AnswersError, CaseError
from bwvdisclose.explain import OUTCOME_TEXT, show_value
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, AnswerValue, Policy, PolicyRef
from bwvdisclose.recommendation import Recommendation
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.signoff import ROLE_TEXT, decision_current, missing_roles, signoff_for
from bwvdisclose.trust.statement import AnyIdentity


@dataclass(frozen=True)
class Intake:
    incident_ref: str
    occurred: dt.datetime
    location: str
    clips: Sequence[str]
    notes: str = ""


def current_values(state: CaseState) -> dict[str, AnswerValue]:
    return {qid: a.value for qid, a in state.answers.items()}


class Cases:
    """A case store seen through one policy."""

    def __init__(self, store: CaseStore, policy: Policy) -> None:
        self.store = store
        self.policy = policy

    def state(self, case_id: str) -> CaseState:
        return fold(self.store.read(case_id))

    def open(self, actor: Actor, intake: Intake) -> str:
        event = self.store.create(
            actor,
            incident_ref=intake.incident_ref,
            occurred=intake.occurred,
            location=intake.location,
            clips=list(intake.clips),
            policy=PolicyRef.of(self.policy),
            notes=intake.notes,
        )
        return event.case_id

    def check_policy(self, state: CaseState) -> None:
        if state.policy.id != self.policy.id:
            raise CaseError(
                f"case {state.case_id} was opened under policy {state.policy.id}, "
                f"not {self.policy.id}; use --criteria to pick that policy"
            )

    def record(
        self, case_id: str, actor: Actor, qid: str, value: AnswerValue, rationale: str
    ) -> None:
        needs_rationale(self.policy, {qid: rationale})
        self.store.append(
            case_id, actor, AnswerRecorded(question=qid, value=value, rationale=rationale)
        )

    def change(
        self,
        case_id: str,
        actor: Actor,
        qid: str,
        value: AnswerValue,
        previous: AnswerValue,
        rationale: str,
        reason: str,
    ) -> None:
        needs_rationale(self.policy, {qid: rationale})
        body = AnswerChanged(
            question=qid, value=value, previous=previous, rationale=rationale, reason=reason
        )
        self.store.append(case_id, actor, body)

    def apply(
        self, case_id: str, actor: Actor, answers: Mapping[str, Answer], reason: str | None
    ) -> tuple[int, int]:
        """Record new answers and changes (all checked before anything is written).

        A changed answer needs `reason`; an answer equal to the current one is skipped.
        Returns (recorded, changed).
        """
        state = self.state(case_id)
        self.check_policy(state)
        current = current_values(state)
        changes = {k: a for k, a in answers.items() if k in current and current[k] != a.value}
        if changes and not (reason and reason.strip()):
            names = ", ".join(
                f"{k} ({show_value(current[k])} -> {show_value(a.value)})"
                for k, a in changes.items()
            )
            raise AnswersError(f"changing an answer needs --reason: {names}")
        new = {k: a for k, a in answers.items() if k not in current}
        needs_rationale(self.policy, {k: a.rationale for k, a in (new | changes).items()})
        for qid, a in new.items():
            self.record(case_id, actor, qid, a.value, a.rationale)
        for qid, a in changes.items():
            self.change(case_id, actor, qid, a.value, current[qid], a.rationale, reason or "")
        return len(new), len(changes)

    def recompute(self, case_id: str, actor: Actor) -> Recommendation:
        """Evaluate the current answers; log the recommendation if it is new or changed."""
        state = self.state(case_id)
        rec = evaluate(self.policy, current_values(state))
        self._log_recommendation(state, actor, rec)
        return rec

    def _log_recommendation(self, state: CaseState, actor: Actor, rec: Recommendation) -> None:
        """Append `rec` unless the log already holds it, under the same policy version."""
        summary = rec.summary()
        if state.recommendation != summary or state.recommendation_policy != rec.policy:
            body = RecommendationComputed(recommendation=summary, policy=rec.policy)
            self.store.append(state.case_id, actor, body)

    def sign(
        self,
        case_id: str,
        identity: AnyIdentity,
        role: str,
        checker: TrustChecker,
        now: dt.datetime | None = None,
    ) -> SignoffRecorded:
        """Sign the current decision as `role`; the signer (from the certificate) is the actor.

        The certificate must be trusted at `now` (default: the current time).
        """
        state = self.state(case_id)
        self.check_policy(state)
        body = signoff_for(state, self.policy, identity, role, checker, now)
        who = Actor(name=body.signer.name, role=ROLE_TEXT[role].lower(), number=body.signer.number)
        self.store.append(case_id, who, body)
        return body

    def decide(
        self, case_id: str, actor: Actor, outcome: str, rationale: str, approval: PolicyApproval
    ) -> DecisionRecorded:
        """Record the decision maker's decision; a departure needs a written justification.

        Only an approved policy version decides: `approval` (trust/approval.py
        `find_approval`) must approve the loaded policy; it is kept in the decision event.
        """
        state = self.state(case_id)
        self.check_policy(state)
        if approval.sha256 != self.policy.sha256:
            raise CaseError(
                f"the approval given is for sha256 {approval.sha256[:16]}, not the loaded policy "
                f"{self.policy.id} {self.policy.version} ({self.policy.sha256[:16]})"
            )
        rec = evaluate(self.policy, current_values(state))
        body = decision_for(rec, outcome, rationale, approval)
        self._log_recommendation(state, actor, rec)
        self.store.append(case_id, actor, body)
        return body


def needs_rationale(policy: Policy, rationales: Mapping[str, str]) -> None:
    """One rule for every way answers reach a case: the checklist, a file, `--answer`.

    An answer to a question marked `rationale_required` goes on the record with its
    rationale; all such answers lacking one are named at once, before anything is written.
    """
    lacking = [
        qid
        for qid, text in rationales.items()
        if policy.questions[qid].rationale_required and not text.strip()
    ]
    if lacking:
        raise AnswersError(
            f"a rationale is required for: {', '.join(lacking)} (these answers go on the "
            "record with their reasons; in an answers file write `ID: {value: ..., "
            "rationale: ...}`, with --answer give --rationale)"
        )


def decision_for(
    rec: Recommendation, outcome: str, rationale: str, approval: PolicyApproval | None = None
) -> DecisionRecorded:
    """The decision event, or a CaseError saying why this decision cannot be recorded."""
    if rec.outcome == "incomplete":
        missing = ", ".join(rec.missing)
        raise CaseError(
            f"cannot decide while the recommendation is incomplete; answer first: {missing}"
        )
    if rec.outcome == "refer":
        raise CaseError(
            "cannot decide while advice is awaited from: "
            f"{', '.join(rec.referrals)}; record it with "
            "`bwvdisclose assess CASE --answer ID=VALUE --rationale TEXT`"
        )
    if outcome not in DECIDABLE_OUTCOMES:
        raise CaseError(
            f"{outcome!r} is not a decision; choose one of {', '.join(DECIDABLE_OUTCOMES)}"
        )
    departure = outcome != rec.outcome
    if departure and not rationale.strip():
        raise CaseError(
            f"deciding {outcome} departs from the recommendation "
            f"({OUTCOME_TEXT[rec.outcome].lower()}); give a written justification with --rationale"
        )
    return DecisionRecorded(
        outcome=outcome,  # type: ignore[arg-type]
        recommended=rec.outcome,
        departure=departure,
        rationale=rationale.strip(),
        approval=approval,
    )


def status(state: CaseState, policy: Policy) -> str:
    """Where the case stands: answering, awaiting advice, ready, decided, signed or recorded."""
    rec = state.recommendation or {}
    if not decision_current(state):
        if rec.get("outcome") == "refer":
            return "awaiting advice"
        return "ready for decision" if rec.get("outcome") in DECIDABLE_OUTCOMES else "answering"
    if missing_roles(state, policy):
        return "decided"
    fresh = [r for r in state.records if r.seq > state.last_change_seq]
    return "recorded" if fresh else "signed"


def case_document(state: CaseState, policy: Policy) -> dict[str, Any]:
    """The case as JSON: state, current recommendation with its trace, and the history."""
    rec = evaluate(policy, current_values(state))
    return {
        "case_id": state.case_id,
        "status": status(state, policy),
        "intake": state.intake.model_dump(mode="json"),
        "policy": state.policy.model_dump(mode="json"),
        "answers": {k: a.model_dump(mode="json") for k, a in state.answers.items()},
        "recommendation": rec.to_json(),
        "decision": state.decision.model_dump(mode="json") if state.decision else None,
        "signoffs": [
            {**s.model_dump(mode="json", exclude={"certificate"}), "current": state.is_current(s)}
            for s in state.signoffs
        ],
        "records": [r.model_dump(mode="json") for r in state.records],
        "history": [e.model_dump(mode="json") for e in state.history],
        "head": state.head,
        "events": state.last_seq,
    }
