"""Case events as stored: a payload inside the envelope, canonical JSON and hashing.

Every event is an envelope (seq, at, actor, prev, type, hash) with its payload fields
flat beside it. `hash` is the SHA-256 of the event's canonical JSON without the `hash`
key; `prev` is the previous event's hash, so the log is a hash chain. Each line of
events.jsonl is exactly `canonical_json(event)` plus a newline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, model_validator

from bwvdisclose.case.payloads import (
    Actor,
    AnswerChanged,
    AnswerRecorded,
    Body,
    CaseOpened,
    DecisionRecorded,
    DisclosureRecorded,
    Frozen,
    Hex64,
    RecommendationComputed,
    RecordRendered,
    SignoffRecorded,
    UtcTime,
    WithdrawalRecorded,
    format_time,
)

ZERO_HASH = "0" * 64


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(obj: Any) -> bytes:
    """The one byte form that is hashed and stored: sorted keys, no spaces, UTF-8.

    Equal to json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    encoded as UTF-8; NaN and infinities are refused rather than written.
    """
    return _ENCODER.encode(obj).encode("utf-8")


def event_hash(fields: dict[str, Any]) -> str:
    """Hex SHA-256 of an event's JSON fields (a dict as stored), leaving out any `hash` key."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


# --- events: a payload inside the envelope, as stored -------------------------------------


class Envelope(Frozen):
    seq: int = Field(ge=1)
    at: UtcTime
    actor: Actor
    prev: Hex64
    hash: Hex64


class CaseOpenedEvent(Envelope, CaseOpened):
    pass


class AnswerRecordedEvent(Envelope, AnswerRecorded):
    pass


class AnswerChangedEvent(Envelope, AnswerChanged):
    pass


class RecommendationComputedEvent(Envelope, RecommendationComputed):
    pass


class DecisionRecordedEvent(Envelope, DecisionRecorded):
    pass


class SignoffRecordedEvent(Envelope, SignoffRecorded):
    @model_validator(mode="after")
    def _signed_head_is_prev(self) -> SignoffRecordedEvent:
        if self.head != self.prev:
            raise ValueError("head (what was signed) must equal prev (the head when stored)")
        return self


class RecordRenderedEvent(Envelope, RecordRendered):
    pass


class DisclosureRecordedEvent(Envelope, DisclosureRecorded):
    pass


class WithdrawalRecordedEvent(Envelope, WithdrawalRecorded):
    pass


Event = Annotated[
    CaseOpenedEvent
    | AnswerRecordedEvent
    | AnswerChangedEvent
    | RecommendationComputedEvent
    | DecisionRecordedEvent
    | SignoffRecordedEvent
    | RecordRenderedEvent
    | DisclosureRecordedEvent
    | WithdrawalRecordedEvent,
    Field(discriminator="type"),
]
AnswerEvent = AnswerRecordedEvent | AnswerChangedEvent
_EVENT_TYPES: tuple[type[Frozen], ...] = (
    CaseOpenedEvent, AnswerRecordedEvent, AnswerChangedEvent, RecommendationComputedEvent,
    DecisionRecordedEvent, SignoffRecordedEvent, RecordRenderedEvent, DisclosureRecordedEvent,
    WithdrawalRecordedEvent,
)  # fmt: skip

BODY_ADAPTER: TypeAdapter[Body] = TypeAdapter(Body)
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def event_log_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of one line of events.jsonl, for auditors' own tools.

    Every field of an event is required in a stored line, defaults included, as the
    verifier requires (a line is the canonical form of the whole event), except the
    fields added to an event type later, which are left out while unset.
    """
    schema = EVENT_ADAPTER.json_schema(mode="validation")
    optional = {cls.__name__: cls.OPTIONAL for cls in _EVENT_TYPES}
    for choice in schema["oneOf"]:
        name = choice["$ref"].rsplit("/", 1)[1]
        model = schema["$defs"][name]
        later = optional.get(name, frozenset())
        model["required"] = sorted(p for p in model["properties"] if p not in later)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "bwvdisclose case event (one line of events.jsonl)",
        **schema,
    }


def build_event(seq: int, at: dt.datetime, actor: Actor, prev: str, body: Body) -> Event:
    """The stored form of `body` as event `seq` after the event hashed `prev`."""
    if at.utcoffset() is None:
        raise ValueError("event time must be timezone-aware")
    fields: dict[str, Any] = {
        "seq": seq,
        "at": format_time(at),
        "actor": actor.model_dump(mode="json"),
        "prev": prev,
        **body.model_dump(mode="json"),
    }
    fields["hash"] = event_hash(fields)
    return EVENT_ADAPTER.validate_python(fields)


def event_line(event: Event) -> bytes:
    """The exact bytes of the event's line in events.jsonl."""
    return canonical_json(event.model_dump(mode="json")) + b"\n"
