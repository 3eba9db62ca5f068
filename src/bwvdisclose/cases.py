"""Working on cases: open, answer, recompute, decide. The core the CLI commands call.

Answers flow one way: answers -> engine -> recommendation -> case events. Every
change is an event in the case's log; nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bwvdisclose.answers import Answer
from bwvdisclose.case import (
    Actor,
    AnswerChanged,
    AnswerRecorded,
    Body,
    CaseState,
    DecisionRecorded,
    DisclosureRecorded,
    Event,
    FootageFingerprinted,
    PolicyApproval,
    RecommendationComputed,
    SignoffRecorded,
    WithdrawalRecorded,
    fold,
)
from bwvdisclose.disclosure import (
    MAX_TEXT,
    bounded,
    lifecycle_state,
    release_for,
    review_date,
    withdrawal_for,
)
from bwvdisclose.engine import conditions_on, evaluate
from bwvdisclose.errors import AnswersError, CaseError
from bwvdisclose.explain import OUTCOME_TEXT, show_value
from bwvdisclose.limits import check_clips, check_length
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, AnswerValue, Policy, PolicyRef
from bwvdisclose.recommendation import Recommendation
from bwvdisclose.store import CaseStore
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.profile import SIGNOFF_ROLES, identity_of
from bwvdisclose.trust.signoff import ROLE_TEXT, decision_current, missing_roles, signoff_for
from bwvdisclose.trust.statement import AnyIdentity
from bwvdisclose.trust.tsa import LtvSettings


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
    """A case store seen through one policy (from `folder`, when it is known)."""

    def __init__(self, store: CaseStore, policy: Policy, folder: Path | None = None) -> None:
        self.store = store
        self.policy = policy
        self.folder = folder

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
        added: list[FootageFingerprinted] = []

        def build(events: Sequence[Event]) -> list[Body]:
            known = {f.sha256 for f in fold(events).footage}
            added.clear()
            for fp in prints:
                if fp.sha256 not in known:
                    known.add(fp.sha256)
                    added.append(fp)
            return list(added)

        if prints:
            self.store.transact(case_id, actor, build)
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
        """Record a first answer to `qid`; refused if someone answered it meanwhile."""
        needs_rationale(self.policy, {qid: rationale})

        def build(events: Sequence[Event]) -> list[Body]:
            state = fold(events)
            given = state.answers.get(qid)
            if given is not None:
                raise CaseError(
                    f"{qid} was answered meanwhile by {given.by.name} "
                    f"({show_value(given.value)}, event {given.seq}); review it and change it"
                )
            return [AnswerRecorded(question=qid, value=value, rationale=rationale)]

        self.store.transact(case_id, actor, build)

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
        """Change `qid` from `previous`; refused if it no longer has that value."""
        needs_rationale(self.policy, {qid: rationale})

        def build(events: Sequence[Event]) -> list[Body]:
            check_unchanged(fold(events), qid, previous)
            return [
                AnswerChanged(
                    question=qid, value=value, previous=previous, rationale=rationale, reason=reason
                )
            ]

        self.store.transact(case_id, actor, build)

    def apply(
        self, case_id: str, actor: Actor, answers: Mapping[str, Answer], reason: str | None
    ) -> tuple[int, int]:
        """Record new answers and changes, and the recommendation they give, in one append.

        Everything is checked against the case as it is at that moment (under its lock):
        a changed answer needs `reason`; an answer equal to the current one is skipped.
        Returns (recorded, changed).
        """
        for a in answers.values():
            check_length(a.rationale, "rationale")
        check_length(reason or "", "reason for a change")
        counts = (0, 0)

        def build(events: Sequence[Event]) -> list[Body]:
            nonlocal counts
            state = fold(events)
            self.check_policy(state)
            bodies = answer_bodies(state, answers, reason)
            counts = (
                sum(isinstance(b, AnswerRecorded) for b in bodies),
                sum(isinstance(b, AnswerChanged) for b in bodies),
            )
            needs_rationale(
                self.policy,
                {
                    b.question: b.rationale
                    for b in bodies
                    if isinstance(b, AnswerRecorded | AnswerChanged)
                },
            )
            values = current_values(state) | {k: a.value for k, a in answers.items()}
            rec = evaluate(self.policy, values)
            return bodies + self._recommendation_bodies(state, rec)

        self.store.transact(case_id, actor, build)
        return counts

    def recompute(self, case_id: str, actor: Actor) -> Recommendation:
        """Evaluate the current answers; log the recommendation if it is new or changed."""
        result: list[Recommendation] = []

        def build(events: Sequence[Event]) -> list[Body]:
            state = fold(events)
            rec = evaluate(self.policy, current_values(state))
            result.append(rec)
            return self._recommendation_bodies(state, rec)

        self.store.transact(case_id, actor, build)
        return result[-1]

    def _recommendation_bodies(self, state: CaseState, rec: Recommendation) -> list[Body]:
        """`rec` to append, unless the log holds it already under the same policy version."""
        summary = rec.summary()
        if state.recommendation == summary and state.recommendation_policy == rec.policy:
            return []
        return [RecommendationComputed(recommendation=summary, policy=rec.policy)]

    def sign(
        self,
        case_id: str,
        identity: AnyIdentity,
        role: str,
        checker: TrustChecker,
        now: dt.datetime | None = None,
        ltv: LtvSettings | None = None,
    ) -> SignoffRecorded:
        """Sign the current decision as `role`; the signer (from the certificate) is the actor.

        The certificate must be trusted at `now` (default: the current time). The signature
        is made under the case's lock, over the head it is appended after.
        """
        result: list[SignoffRecorded] = []

        def build(events: Sequence[Event]) -> list[Body]:
            state = fold(events)
            self.check_policy(state)
            body = signoff_for(state, self.policy, identity, role, checker, now, ltv)
            result.append(body)
            return [body]

        signer = identity_of(identity.certificate, SIGNOFF_ROLES)
        who = Actor(name=signer.name, role=ROLE_TEXT[role].lower(), number=signer.number or "none")
        self.store.transact(case_id, who, build)
        return result[-1]

    def decide(
        self,
        case_id: str,
        actor: Actor,
        outcome: str,
        rationale: str,
        review_by: str | None = None,
        notes: Mapping[str, str] | None = None,
        now: dt.datetime | None = None,
        *,
        approval: PolicyApproval,
        course: str | None = None,
        seen: Mapping[str, Any] | None = None,
    ) -> DecisionRecorded:
        """Record the decision maker's decision; a departure needs a written justification.

        A decision to publish carries a review date; each condition of the decision needs
        a note saying what was done about it. The recommendation is computed from the
        answers as they are under the case's lock, and logged (when new) in the same
        append as the decision. Only an approved policy version decides: `approval`
        (trust/approval.py `find_approval`) must approve the loaded policy; it is kept in
        the decision event. `seen` is the recommendation (its summary) the decision was
        made on, as read before: if the answers give another one by the time of writing
        (someone assessed meanwhile), nothing is written (CaseError).
        """
        if approval.sha256 != self.policy.sha256:
            raise CaseError(
                f"the approval given is for sha256 {approval.sha256[:16]}, not the loaded policy "
                f"{self.policy.id} {self.policy.version} ({self.policy.sha256[:16]})"
            )
        result: list[DecisionRecorded] = []
        today = (now or dt.datetime.now(dt.UTC)).date()

        def build(events: Sequence[Event]) -> list[Body]:
            state = fold(events)
            self.check_policy(state)
            answers = current_values(state)
            rec = evaluate(self.policy, answers)
            if seen is not None:
                refuse_changed(state.case_id, seen, rec)
            conditions = self.decision_conditions(rec, answers, outcome)
            body = decision_for(
                rec,
                outcome,
                rationale,
                review_by,
                notes or {},
                conditions,
                today,
                course=course,
                approval=approval,
            )
            result.append(body)
            return [*self._recommendation_bodies(state, rec), body]

        self.store.transact(case_id, actor, build)
        return result[-1]

    def decision_conditions(
        self, rec: Recommendation, answers: Mapping[str, AnswerValue], outcome: str
    ) -> list[str]:
        """The conditions of deciding `outcome`: the recommendation's own when it follows it."""
        return decision_conditions(self.policy, rec.outcome, rec.conditions, answers, outcome)

    def release(
        self, case_id: str, actor: Actor, to: str, url: str, at: dt.datetime | None = None
    ) -> DisclosureRecorded:
        """Log a release under the current, signed and recorded decision (checked under lock)."""
        result: list[DisclosureRecorded] = []
        now = dt.datetime.now(dt.UTC)

        def build(events: Sequence[Event]) -> list[Body]:
            result.append(release_for(fold(events), self.policy, to, url, at or now, now))
            return [result[-1]]

        self.store.transact(case_id, actor, build)
        return result[-1]

    def withdraw(self, case_id: str, actor: Actor, reason: str) -> WithdrawalRecorded:
        """Log the takedown of every live release, with the reason (checked under the lock)."""
        result: list[WithdrawalRecorded] = []

        def build(events: Sequence[Event]) -> list[Body]:
            result.append(withdrawal_for(fold(events), reason))
            return [result[-1]]

        self.store.transact(case_id, actor, build)
        return result[-1]


def check_unchanged(state: CaseState, qid: str, previous: AnswerValue) -> None:
    given = state.answers.get(qid)
    if given is None or given.value != previous:
        now = "unanswered" if given is None else show_value(given.value)
        raise CaseError(
            f"{qid} changed meanwhile (it is now {now}, not {show_value(previous)}); "
            "review it and try again"
        )


def answer_bodies(
    state: CaseState, answers: Mapping[str, Answer], reason: str | None
) -> list[Body]:
    """The events recording `answers` against `state`: new answers, then changes."""
    current = current_values(state)
    changes = {k: a for k, a in answers.items() if k in current and current[k] != a.value}
    if changes and not (reason and reason.strip()):
        names = ", ".join(
            f"{k} ({show_value(current[k])} -> {show_value(a.value)})" for k, a in changes.items()
        )
        raise AnswersError(f"changing an answer needs --reason: {names}")
    bodies: list[Body] = [
        AnswerRecorded(question=k, value=a.value, rationale=a.rationale)
        for k, a in answers.items()
        if k not in current
    ]
    bodies += [
        AnswerChanged(
            question=k,
            value=a.value,
            previous=current[k],
            rationale=a.rationale,
            reason=reason or "",
        )
        for k, a in changes.items()
    ]
    return bodies


def needs_rationale(policy: Policy, rationales: Mapping[str, str]) -> None:
    """One rule for every way answers reach a case: the checklist, a file, `--answer`.

    An answer to a question marked `rationale_required` goes on the record with its
    rationale; all such answers lacking one are named at once, before anything is written.
    """
    lacking = lacking_rationale(policy, rationales)
    if lacking:
        raise AnswersError(
            f"a rationale is required for: {', '.join(lacking)} (these answers go on the "
            "record with their reasons; in an answers file write `ID: {value: ..., "
            "rationale: ...}`, with --answer give --rationale)"
        )


def lacking_rationale(policy: Policy, rationales: Mapping[str, str]) -> list[str]:
    """The questions among `rationales` that `policy` marks `rationale_required`, given none."""
    return [
        qid
        for qid, text in rationales.items()
        if qid in policy.questions and policy.questions[qid].rationale_required and not text.strip()
    ]


# Courses a decision maker can name within an outcome: course -> (outcome, what it is).
COURSES: dict[str, tuple[str, str]] = {
    "context_statement": ("do_not_publish", "Context statement without footage"),
}


def decision_for(
    rec: Recommendation,
    outcome: str,
    rationale: str,
    review_by: str | None = None,
    notes: Mapping[str, str] | None = None,
    conditions: Sequence[str] = (),
    today: dt.date | None = None,
    course: str | None = None,
    approval: PolicyApproval | None = None,
) -> DecisionRecorded:
    """The decision event, or a CaseError saying why this decision cannot be recorded.

    `conditions` are the conditions of the decision: each needs a note in `notes`;
    `course` names a course chosen within the outcome (see COURSES).
    """
    check_length(rationale, "decision rationale")
    check_decision(rec.outcome, rec.missing, rec.referrals, outcome, rationale, course)
    day = review_date(outcome, review_by, today or dt.datetime.now(dt.UTC).date())
    return DecisionRecorded(
        outcome=outcome,  # type: ignore[arg-type]
        recommended=rec.outcome,
        departure=outcome != rec.outcome,
        rationale=bounded(rationale, "--rationale", MAX_TEXT, required=False),
        review_by=day,
        condition_notes=condition_notes(conditions, notes or {}),
        course=course,
        approval=approval,
    )


def check_decision(
    recommended: str,
    missing: Sequence[str],
    referrals: Sequence[str],
    outcome: str,
    rationale: str,
    course: str | None,
) -> None:
    """CaseError if `outcome` may not be decided on a recommendation of `recommended`.

    The one rule for `decide` and for the verifier (conformance.py): no decision while
    the recommendation is incomplete or awaiting advice, only a decidable outcome, a
    course that goes with it, and a written justification for a departure.
    """
    if course is not None and COURSES.get(course, ("",))[0] != outcome:
        fits = [c for c, (o, _) in COURSES.items() if o == outcome]
        raise CaseError(
            f"course {course!r} does not go with {outcome}; "
            + (f"choose {', '.join(fits)}" if fits else "name no course for it")
        )
    if recommended == "incomplete":
        raise CaseError(
            f"cannot decide while the recommendation is incomplete; answer first: "
            f"{', '.join(missing)}"
        )
    if recommended == "refer":
        raise CaseError(
            "cannot decide while advice is awaited from: "
            f"{', '.join(referrals)}; record it with "
            "`bwvdisclose assess CASE --answer ID=VALUE --rationale TEXT`"
        )
    if outcome not in DECIDABLE_OUTCOMES:
        raise CaseError(
            f"{outcome!r} is not a decision; choose one of {', '.join(DECIDABLE_OUTCOMES)}"
        )
    if outcome != recommended and not rationale.strip():
        raise CaseError(
            f"deciding {outcome} departs from the recommendation "
            f"({OUTCOME_TEXT.get(recommended, recommended).lower()}); give a written "
            "justification with --rationale"
        )


def decision_conditions(
    policy: Policy,
    recommended: str,
    conditions: Sequence[str],
    answers: Mapping[str, AnswerValue],
    outcome: str,
) -> list[str]:
    """The conditions of deciding `outcome` on a recommendation of `recommended` (with its
    `conditions`): the recommendation's own when it follows it, else the outcome's."""
    if outcome == recommended:
        return list(conditions)
    held, _ = conditions_on(policy, answers, outcome, None)
    return held


def refuse_changed(case_id: str, seen: Mapping[str, Any], rec: Recommendation) -> None:
    """CaseError if the answers now give another recommendation than the one `seen`."""
    if rec.summary() == dict(seen):
        return
    was, now = seen.get("outcome", "?"), rec.outcome
    what = f"from {was} to {now}" if was != now else f"(still {now}, with other considerations)"
    raise CaseError(
        f"the recommendation for {case_id} changed {what} while the decision was being "
        "recorded (someone assessed the case meanwhile); nothing was written: review it "
        "with `bwvdisclose show` and decide again"
    )


def check_condition_notes(conditions: Sequence[str], notes: Mapping[str, str]) -> None:
    """CaseError unless there is a note for each condition of the decision and no other."""
    unknown = sorted(set(notes) - set(conditions))
    if unknown:
        listed = ", ".join(conditions) or "none"
        raise CaseError(
            f"--note for {', '.join(unknown)}: not a condition of this decision "
            f"(its conditions: {listed})"
        )
    missing = [c for c in conditions if not notes.get(c, "").strip()]
    if missing:
        raise CaseError(
            "say what was done about each condition of the decision with --note ID=TEXT; "
            f"missing: {', '.join(missing)}"
        )


def condition_notes(conditions: Sequence[str], notes: Mapping[str, str]) -> dict[str, str] | None:
    """A note for each condition of the decision, or CaseError naming what is missing."""
    check_condition_notes(conditions, notes)
    if not conditions:
        return None
    return {c: bounded(notes[c], f"--note {c}", MAX_TEXT) for c in conditions}


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
    if not fresh:
        return "signed"
    return lifecycle_state(state) or "recorded"


def case_document(state: CaseState, policy: Policy) -> dict[str, Any]:
    """The case as JSON: state, current recommendation with its trace, and the history."""
    rec = evaluate(policy, current_values(state))
    return {
        "case_id": state.case_id,
        "status": status(state, policy),
        "intake": state.intake.model_dump(mode="json"),
        "policy": state.policy.to_json(),
        "answers": {k: a.model_dump(mode="json") for k, a in state.answers.items()},
        "recommendation": rec.to_json(),
        "decision": state.decision.model_dump(mode="json") if state.decision else None,
        "signoffs": [
            {**s.model_dump(mode="json", exclude={"certificate"}), "current": state.is_current(s)}
            for s in state.signoffs
        ],
        "records": [r.model_dump(mode="json") for r in state.records],
        "releases": [r.model_dump(mode="json") for r in state.releases],
        "withdrawals": [w.model_dump(mode="json") for w in state.withdrawals],
        "history": [e.model_dump(mode="json") for e in state.history],
        "head": state.head,
        "events": state.last_seq,
    }
