"""`fold(events) -> CaseState`: where a case stands, replayed from its event log.

The state is derived, never stored: the log is the record. Folding also enforces the
rules the log's grammar cannot: one case_opened first, an answer recorded once and then
only changed (from the value it had), and seq counting up by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bwvdisclose.case.events import (
    AnswerChangedEvent,
    AnswerEvent,
    AnswerRecordedEvent,
    CaseOpenedEvent,
    DecisionRecordedEvent,
    DisclosureRecordedEvent,
    Event,
    FootageFingerprintedEvent,
    RecommendationComputedEvent,
    RecordRenderedEvent,
    SignoffRecordedEvent,
    WithdrawalRecordedEvent,
)
from bwvdisclose.case.payloads import Actor, AnswerValue, Frozen, UtcTime
from bwvdisclose.errors import IntegrityError
from bwvdisclose.policy.models import PolicyRef


class Intake(Frozen):
    incident_ref: str
    occurred: UtcTime
    location: str
    clips: list[str]
    notes: str
    opened_at: UtcTime
    opened_by: Actor


class AnswerState(Frozen):
    """The current answer to one question, and who gave it when (event `seq`)."""

    value: AnswerValue
    rationale: str
    by: Actor
    at: UtcTime
    seq: int


class CaseState(Frozen):
    case_id: str
    intake: Intake
    policy: PolicyRef
    answers: dict[str, AnswerState]
    history: list[AnswerEvent]
    recommendation: dict[str, Any] | None
    recommendation_seq: int | None
    recommendation_policy: PolicyRef | None
    decision: DecisionRecordedEvent | None
    signoffs: list[SignoffRecordedEvent]
    records: list[RecordRenderedEvent]
    releases: list[DisclosureRecordedEvent]
    withdrawals: list[WithdrawalRecordedEvent]
    footage: list[FootageFingerprintedEvent]
    head: str
    last_seq: int
    last_change_seq: int  # the latest answer, recommendation or decision event; 0 if none

    def is_current(self, signoff: SignoffRecordedEvent) -> bool:
        """A sign-off is current if no answer, recommendation or decision came after it."""
        return signoff.seq > self.last_change_seq

    def current_signoffs(self) -> list[SignoffRecordedEvent]:
        return [s for s in self.signoffs if self.is_current(s)]

    def stale_signoffs(self) -> list[SignoffRecordedEvent]:
        return [s for s in self.signoffs if not self.is_current(s)]

    def live_releases(self) -> list[DisclosureRecordedEvent]:
        """Releases not yet withdrawn."""
        gone = {seq for w in self.withdrawals for seq in w.releases}
        return [r for r in self.releases if r.seq not in gone]

    def signed_roles(self) -> set[str]:
        """Roles (decision_maker, legal, data_protection) with a current sign-off."""
        return {s.role for s in self.current_signoffs()}


class _Fold:
    """The state so far, changed in place event by event, frozen at the end."""

    def __init__(self, opened: CaseOpenedEvent) -> None:
        self.opened = opened
        self.answers: dict[str, AnswerState] = {}
        self.history: list[AnswerEvent] = []
        self.recommendation: RecommendationComputedEvent | None = None
        self.decision: DecisionRecordedEvent | None = None
        self.signoffs: list[SignoffRecordedEvent] = []
        self.records: list[RecordRenderedEvent] = []
        self.releases: list[DisclosureRecordedEvent] = []
        self.withdrawals: list[WithdrawalRecordedEvent] = []
        self.footage: list[FootageFingerprintedEvent] = []
        self.last: Event = opened
        self.last_change_seq = 0

    def fail(self, event: Event, problem: str) -> IntegrityError:
        return IntegrityError(f"case {self.opened.case_id}: event {event.seq}: {problem}")

    def apply(self, event: Event) -> None:
        if event.seq != self.last.seq + 1:
            raise self.fail(event, f"follows event {self.last.seq}: events are missing or moved")
        match event:
            case CaseOpenedEvent():
                raise self.fail(event, "case_opened may only be the first event")
            case AnswerRecordedEvent() | AnswerChangedEvent():
                self._answer(event)
            case RecommendationComputedEvent():
                self.recommendation = event
            case DecisionRecordedEvent():
                self.decision = event
            case SignoffRecordedEvent():
                self.signoffs.append(event)
            case RecordRenderedEvent():
                self.records.append(event)
            case DisclosureRecordedEvent():
                self._release(event)
            case WithdrawalRecordedEvent():
                self._withdraw(event)
            case FootageFingerprintedEvent():
                self.footage.append(event)  # a change: what was signed covered the footage
        # Sign-offs, records, releases and withdrawals leave the decision as it was.
        if not isinstance(event, LIFECYCLE):
            self.last_change_seq = event.seq
        self.last = event

    def _release(self, event: DisclosureRecordedEvent) -> None:
        d = self.decision
        if d is None or d.seq != event.decision_seq or d.outcome != event.outcome:
            raise self.fail(
                event,
                f"a release under decision event {event.decision_seq}, "
                "which is not the current decision to publish",
            )
        self.releases.append(event)

    def _withdraw(self, event: WithdrawalRecordedEvent) -> None:
        gone = {seq for w in self.withdrawals for seq in w.releases}
        live = {r.seq for r in self.releases} - gone
        if not set(event.releases) <= live:
            raise self.fail(event, "withdraws a release that is not live")
        self.withdrawals.append(event)

    def _answer(self, event: AnswerEvent) -> None:
        q, current = event.question, self.answers.get(event.question)
        if isinstance(event, AnswerRecordedEvent) and current is not None:
            raise self.fail(event, f"{q} is already answered (event {current.seq}); change it")
        if isinstance(event, AnswerChangedEvent):
            if current is None:
                raise self.fail(event, f"changes {q}, which was never answered")
            if event.previous != current.value:
                was = f"{event.previous!r}, not {current.value!r}"
                raise self.fail(event, f"changes {q} from {was}")
        self.answers[q] = AnswerState(
            value=event.value, rationale=event.rationale, by=event.actor, at=event.at, seq=event.seq
        )
        self.history.append(event)

    def state(self) -> CaseState:
        o, rec = self.opened, self.recommendation
        intake = Intake(
            incident_ref=o.incident_ref,
            occurred=o.occurred,
            location=o.location,
            clips=o.clips,
            notes=o.notes,
            opened_at=o.at,
            opened_by=o.actor,
        )
        return CaseState(
            case_id=o.case_id,
            intake=intake,
            policy=o.policy,
            answers=self.answers,
            history=self.history,
            recommendation=rec.recommendation if rec else None,
            recommendation_seq=rec.seq if rec else None,
            recommendation_policy=rec.policy if rec else None,
            decision=self.decision,
            signoffs=self.signoffs,
            records=self.records,
            releases=self.releases,
            withdrawals=self.withdrawals,
            footage=self.footage,
            head=self.last.hash,
            last_seq=self.last.seq,
            last_change_seq=self.last_change_seq,
        )


LIFECYCLE = (
    SignoffRecordedEvent,
    RecordRenderedEvent,
    DisclosureRecordedEvent,
    WithdrawalRecordedEvent,
)


class Folding(_Fold):
    """Folding one event at a time (`apply`), the state so far at hand (`state()`): for
    checks that judge each event against the case as it stood before it (conformance.py)."""

    @classmethod
    def start(cls, first: Event) -> Folding:
        if not isinstance(first, CaseOpenedEvent) or first.seq != 1:
            raise IntegrityError(
                f"a case log must start with case_opened as event 1, not {first.type} "
                f"(seq {first.seq})"
            )
        return cls(first)


def fold(events: Iterable[Event]) -> CaseState:
    """Replay a case's events (as from CaseStore.read) into its current state."""
    stream = iter(events)
    first = next(stream, None)
    if not isinstance(first, CaseOpenedEvent) or first.seq != 1:
        what = "no events" if first is None else f"{first.type} (seq {first.seq})"
        raise IntegrityError(f"a case log must start with case_opened as event 1, not {what}")
    folding = _Fold(first)
    for event in stream:
        folding.apply(event)
    return folding.state()
