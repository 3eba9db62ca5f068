"""Case files: an append-only, hash-chained event log per case, and the state folded from it.

payloads.py  what a caller records (CaseOpened, AnswerRecorded, ... and Actor)
events.py    the stored events, canonical JSON, hashing, the JSON Schema of a log line
verify.py    the checks of a log and its HEAD (every store backend runs them)

The stores that keep cases are in `bwvdisclose.store` (the interface and backends).
state.py     fold(events) -> CaseState
"""

from __future__ import annotations

from bwvdisclose.case.events import (
    ZERO_HASH,
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
    canonical_json,
    event_hash,
    event_log_schema,
)
from bwvdisclose.case.payloads import (
    Actor,
    AnswerChanged,
    AnswerRecorded,
    Body,
    CaseOpened,
    DecisionRecorded,
    DisclosureRecorded,
    FootageFingerprinted,
    PolicyApproval,
    RecommendationComputed,
    RecordRendered,
    Signer,
    SignoffRecorded,
    WithdrawalRecorded,
)
from bwvdisclose.case.state import AnswerState, CaseState, Intake, fold
from bwvdisclose.case.verify import Verification

__all__ = [
    "ZERO_HASH",
    "Actor",
    "AnswerChanged",
    "AnswerChangedEvent",
    "AnswerEvent",
    "AnswerRecorded",
    "AnswerRecordedEvent",
    "AnswerState",
    "Body",
    "CaseOpened",
    "CaseOpenedEvent",
    "CaseState",
    "DecisionRecorded",
    "DecisionRecordedEvent",
    "DisclosureRecorded",
    "DisclosureRecordedEvent",
    "Event",
    "FootageFingerprinted",
    "FootageFingerprintedEvent",
    "Intake",
    "PolicyApproval",
    "RecommendationComputed",
    "RecommendationComputedEvent",
    "RecordRendered",
    "RecordRenderedEvent",
    "Signer",
    "SignoffRecorded",
    "SignoffRecordedEvent",
    "Verification",
    "WithdrawalRecorded",
    "WithdrawalRecordedEvent",
    "canonical_json",
    "event_hash",
    "event_log_schema",
    "fold",
]
