"""Working on cases: open, answer, recompute, decide. The core the CLI commands call.

Answers flow one way: answers -> engine -> recommendation -> case events. Every
change is an event in the case's log; nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bwvdisclose.answers import Answer
from bwvdisclose.case import (
    Actor,
    AnswerChanged,
    AnswerRecorded,
    CaseState,
    CaseStore,
    DecisionRecorded,
    FootageFingerprinted,
    RecommendationComputed,
    SignoffRecorded,
    fold,
)
from bwvdisclose.engine import evaluate
from bwvdisclose.errors import AnswersError, CaseError
from bwvdisclose.explain import OUTCOME_TEXT, show_value
from bwvdisclose.limits import check_clips, check_length
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, AnswerValue, Policy, PolicyRef
from bwvdisclose.recommendation import Recommendation
from bwvdisclose.signing import Identity
from bwvdisclose.signoff import ROLE_TEXT, decision_current, missing_roles, signoff_for


@dataclass(frozen=True)
class Intake:
    incident_ref: str
    occurred: dt.datetime
    location: str
    clips: Sequence[str]
    notes: str = ""


def check_intake(intake: Intake) -> None:
    """Refuse intake text over its documented limit, before a case is opened."""
    check_length(intake.incident_ref, "incident reference")
    check_length(intake.location, "location")
    check_length(intake.notes, "notes")
    check_clips(intake.clips)


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
        check_intake(intake)
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

    def add_footage(
        self, case_id: str, actor: Actor, prints: Sequence[FootageFingerprinted]
    ) -> list[FootageFingerprinted]:
        """Record footage fingerprints; one already recorded (same SHA-256) is skipped.

        Returns those recorded. A fingerprint added after a decision makes the sign-offs
        stale: the footage assessed is part of what was signed.
        """
        known = {f.sha256 for f in self.state(case_id).footage}
        added = []
        for fp in prints:
            if fp.sha256 in known:
                continue
            self.store.append(case_id, actor, fp)
            known.add(fp.sha256)
            added.append(fp)
        return added

    def check_policy(self, state: CaseState) -> None:
        if state.policy.id != self.policy.id:
            raise CaseError(
                f"case {state.case_id} was opened under policy {state.policy.id}, "
                f"not {self.policy.id}; use --criteria to pick that policy"
            )

    def record(
        self, case_id: str, actor: Actor, qid: str, value: AnswerValue, rationale: str
    ) -> None:
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
        for a in answers.values():
            check_length(a.rationale, "rationale")
        check_length(reason or "", "reason for a change")
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
        self, case_id: str, identity: Identity, role: str, rank: str = "", number: str = ""
    ) -> SignoffRecorded:
        """Sign the current decision as `role`; the signer is the actor of the event."""
        check_length(rank, "rank")
        check_length(number, "number")
        state = self.state(case_id)
        self.check_policy(state)
        body = signoff_for(state, self.policy, identity, role, rank, number)
        who = Actor(name=body.signer.name, role=ROLE_TEXT[role].lower(), number=body.signer.number)
        self.store.append(case_id, who, body)
        return body

    def decide(
        self, case_id: str, actor: Actor, outcome: str, rationale: str, course: str | None = None
    ) -> DecisionRecorded:
        """Record the decision maker's decision; a departure needs a written justification."""
        state = self.state(case_id)
        self.check_policy(state)
        rec = evaluate(self.policy, current_values(state))
        body = decision_for(rec, outcome, rationale, course)
        self._log_recommendation(state, actor, rec)
        self.store.append(case_id, actor, body)
        return body


# Courses a decision maker can name within an outcome: course -> (outcome, what it is).
COURSES: dict[str, tuple[str, str]] = {
    "context_statement": ("do_not_publish", "Context statement without footage"),
}


def decision_for(
    rec: Recommendation, outcome: str, rationale: str, course: str | None = None
) -> DecisionRecorded:
    """The decision event, or a CaseError saying why this decision cannot be recorded."""
    if course is not None and COURSES.get(course, ("",))[0] != outcome:
        fits = [c for c, (o, _) in COURSES.items() if o == outcome]
        raise CaseError(
            f"course {course!r} does not go with {outcome}; "
            + (f"choose {', '.join(fits)}" if fits else "name no course for it")
        )
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
    check_length(rationale, "decision rationale")
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
        course=course,
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
