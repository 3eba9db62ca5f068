"""Shared fixtures for the case store tests: people, a policy ref, a ticking clock, a store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bwvdisclose.case.events import ZERO_HASH, Event, build_event
from bwvdisclose.case.payloads import (
    Actor,
    AnswerChanged,
    AnswerRecorded,
    Body,
    CaseOpened,
    DecisionRecorded,
    DisclosureRecorded,
    FootageFingerprinted,
    RecommendationComputed,
    RecordRendered,
    Signer,
    SignoffRecorded,
    WithdrawalRecorded,
)
from bwvdisclose.policy.models import PolicyRef

if TYPE_CHECKING:
    from bwvdisclose.store.folder import FolderStore

START = dt.datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=dt.UTC)
OFFICER = Actor(name="Sam Jones", role="disclosure officer", number="PC 1234")
INSPECTOR = Actor(name="Ana Díaz", role="duty inspector", number="Insp 77")
POLICY = PolicyRef(id="met-bwv-2020", version="2020.1", sha256="ab" * 32)
RECOMMENDATION = {
    "outcome": "publish_with_redactions",
    "exceptions_met": ["public_interest"],
    "blocked_by": [],
    "referrals": [],
    "conditions": [],
    "redactions": ["faces.bystanders"],
    "missing": [],
    "policy": POLICY.to_json(),
}


class Clock:
    """A clock that moves on one second (and one microsecond) at every reading."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1, microseconds=1)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> FolderStore:
    from bwvdisclose.store.folder import FolderStore

    return FolderStore(tmp_path / "store", clock=clock, lock_timeout=2.0)


def open_case(store: FolderStore, **changes: object) -> str:
    fields: dict[str, object] = {
        "incident_ref": "CAD 1234/01MAY24",
        "occurred": dt.datetime(2024, 4, 30, 22, 15, tzinfo=dt.UTC),
        "location": "Oxford Street, London W1",
        "clips": ["BWV-0001.mp4", "BWV-0002.mp4"],
        "policy": POLICY,
    }
    fields.update(changes)
    return store.create(OFFICER, **fields).case_id  # type: ignore[arg-type]


def opened(case_id: str = "BWV-2024-0001") -> CaseOpened:
    return CaseOpened(
        case_id=case_id,
        incident_ref="CAD 1234/01MAY24",
        occurred=dt.datetime(2024, 4, 30, 22, 15, tzinfo=dt.UTC),
        location="Oxford Street, London W1",
        clips=["BWV-0001.mp4"],
        policy=POLICY,
        notes="Café incident — see CAD",
    )


def signoff(head: str, role: str = "decision_maker") -> SignoffRecorded:
    return SignoffRecorded(
        role=role,  # type: ignore[arg-type]
        signer=Signer(name="Ana Díaz", rank="Inspector", number="Insp 77"),
        head=head,
        signature="c2lnbmF0dXJl",
        algorithm="ecdsa-p256-sha256",
        certificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        fingerprint="cd" * 32,
        outcome="publish",
        policy_sha256="ef" * 32,
    )


def record(head: str) -> RecordRendered:
    return RecordRendered(file="BWV-2024-0001-record.pdf", sha256="ef" * 32, size=1234, head=head)


def answer(question: str, value: bool | str | list[str], rationale: str = "") -> AnswerRecorded:
    return AnswerRecorded(question=question, value=value, rationale=rationale)


def change(question: str, value: object, previous: object, reason: str) -> AnswerChanged:
    return AnswerChanged(
        question=question,
        value=value,
        previous=previous,
        rationale="",
        reason=reason,  # type: ignore[arg-type]
    )


def decision(outcome: str = "publish_with_redactions") -> DecisionRecorded:
    return DecisionRecorded(
        outcome=outcome,  # type: ignore[arg-type]
        recommended="publish_with_redactions",
        departure=outcome != "publish_with_redactions",
        rationale="Agree with the recommendation.",
    )


def recommendation() -> RecommendationComputed:
    return RecommendationComputed(recommendation=RECOMMENDATION, policy=POLICY)


def build_log(bodies: Sequence[Body], actor: Actor = OFFICER) -> list[Event]:
    """Events as the store would write them, built in memory. A SignoffRecorded or
    RecordRendered body with head ZERO_HASH gets the head of the log at that point."""
    events: list[Event] = []
    prev, at = ZERO_HASH, START
    for seq, body in enumerate(bodies, start=1):
        if isinstance(body, SignoffRecorded | RecordRendered) and body.head == ZERO_HASH:
            body = body.model_copy(update={"head": prev})
        at += dt.timedelta(seconds=1)
        event = build_event(seq, at, actor, prev, body)
        events.append(event)
        prev = event.hash
    return events


def every_kind() -> list[Body]:
    """One event of each type, in an order a real case could have."""
    return [
        opened(),
        answer("footage.public_place", True, "Filmed on a public street."),
        answer("people.children", "none"),
        change("people.children", "some", "none", "A child is visible at 00:41."),
        recommendation(),
        decision(),
        signoff(ZERO_HASH),
        record(ZERO_HASH),
        release(decision_seq=6),
        WithdrawalRecorded(reason="Review: no longer needed for the appeal.", releases=[9]),
        FootageFingerprinted(name="BWV-0001.mp4", size=1024, sha256="12" * 32),
    ]


def release(decision_seq: int, to: str = "Met Police YouTube channel") -> DisclosureRecorded:
    return DisclosureRecorded(
        released_at=START + dt.timedelta(days=2),
        to=to,
        url="https://www.youtube.com/@metpoliceuk",
        decision_seq=decision_seq,
        outcome="publish_with_redactions",
        record_sha256="ef" * 32,
    )
