"""Case files: an append-only, hash-chained event log per case, and the state folded from it.

payloads.py  what a caller records (CaseOpened, AnswerRecorded, ... and Actor)
events.py    the stored events, canonical JSON, hashing, the JSON Schema of a log line
store.py     CaseStore: create, append, read, verify (locking and fsync in files.py)
verify.py    the checks behind CaseStore.verify
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
    Event,
    RecommendationComputedEvent,
    RecordRenderedEvent,
    SignoffRecordedEvent,
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
    PolicyApproval,
    RecommendationComputed,
    RecordRendered,
    Signer,
    SignoffRecorded,
)
from bwvdisclose.case.state import AnswerState, CaseState, Intake, fold
from bwvdisclose.case.store import CaseStore, check_case_id
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
    "CaseStore",
    "DecisionRecorded",
    "DecisionRecordedEvent",
    "Event",
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
    "canonical_json",
    "check_case_id",
    "event_hash",
    "event_log_schema",
    "fold",
]
