"""Event models, canonical JSON, hashing and the JSON Schema of a log line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from pydantic import ValidationError

from bwvdisclose.case.events import (
    EVENT_ADAPTER,
    ZERO_HASH,
    AnswerRecordedEvent,
    build_event,
    canonical_json,
    event_hash,
    event_line,
    event_log_schema,
)
from bwvdisclose.case.payloads import AnswerRecorded, CaseOpened, RecommendationComputed
from bwvdisclose.store import CaseStore

from .conftest import (
    OFFICER,
    POLICY,
    START,
    answer,
    build_log,
    every_kind,
    open_case,
    opened,
    signoff,
)

TYPES = {
    "case_opened",
    "answer_recorded",
    "answer_changed",
    "recommendation_computed",
    "decision_recorded",
    "signoff_recorded",
    "record_rendered",
    "footage_fingerprinted",
    "disclosure_recorded",
    "withdrawal_recorded",
}


def spec_canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def test_canonical_json_is_the_documented_form() -> None:
    obj = {"b": [1, "é", {"z": None, "a": True}], "a": "Café — “quoted”", "n": 1.5}
    assert canonical_json(obj) == spec_canonical(obj)
    assert canonical_json(obj).startswith(b'{"a":"Caf\xc3\xa9')


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_every_kind_of_event_round_trips_through_its_line() -> None:
    events = build_log(every_kind())
    assert {e.type for e in events} == TYPES
    for event in events:
        line = event_line(event)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        fields = json.loads(line)
        assert line == spec_canonical(fields) + b"\n"
        assert EVENT_ADAPTER.validate_json(line) == event


def test_hash_covers_the_event_without_its_hash_key() -> None:
    events = build_log(every_kind())
    for event in events:
        fields = json.loads(event_line(event))
        claimed = fields.pop("hash")
        assert claimed == hashlib.sha256(spec_canonical(fields)).hexdigest()
        assert event_hash({**fields, "hash": "ignored"}) == claimed
    assert events[0].prev == ZERO_HASH
    assert [e.prev for e in events[1:]] == [e.hash for e in events[:-1]]


def test_envelope_fields_and_time_format() -> None:
    event = build_log([opened()])[0]
    fields = json.loads(event_line(event))
    assert set(fields) >= {"seq", "at", "actor", "prev", "type", "hash"}
    assert fields["at"] == "2024-05-01T09:00:01.123456Z"
    assert fields["occurred"] == "2024-04-30T22:15:00.000000Z"
    assert fields["actor"] == {
        "name": "Sam Jones",
        "role": "disclosure officer",
        "number": "PC 1234",
    }


def test_times_are_stored_in_utc() -> None:
    bst = dt.timezone(dt.timedelta(hours=1))
    local = CaseOpened.model_validate(
        {**opened().model_dump(), "occurred": dt.datetime(2024, 5, 1, 10, tzinfo=bst)}
    )
    assert local.occurred == dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    assert local.model_dump(mode="json")["occurred"] == "2024-05-01T09:00:00.000000Z"


@pytest.mark.parametrize(
    "bad",
    [
        dt.datetime(2024, 5, 1, 9),  # naive
        "2024-05-01T09:00:00Z",  # no microseconds
        "2024-05-01T09:00:00.000000+00:00",  # not Z
        "2024-05-01T09:00:00.000000Z\n",
        "yesterday",
    ],
)
def test_bad_times_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        CaseOpened.model_validate({**opened().model_dump(), "occurred": bad})


def test_models_are_frozen_strict_and_closed() -> None:
    body = answer("q.one", True)
    with pytest.raises(ValidationError):
        body.value = False  # type: ignore[misc]
    with pytest.raises(ValidationError):
        AnswerRecorded.model_validate({"question": "q", "value": True, "rationale": "", "x": 1})
    with pytest.raises(ValidationError):  # 1 is not a bool: no coercion
        AnswerRecorded.model_validate({"question": "q", "value": 1, "rationale": ""})
    event = build_log([opened(), body])[1]
    assert isinstance(event, AnswerRecordedEvent)
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_python({**event.model_dump(mode="json"), "seq": "2"})


def test_answer_values_keep_their_type() -> None:
    for value in (True, "true", ["a", "b"], ""):
        event = build_log([opened(), answer("q.x", value)])[1]
        assert isinstance(event, AnswerRecordedEvent)
        assert EVENT_ADAPTER.validate_json(event_line(event)) == event
        assert type(event.value) is type(value)


def test_recommendation_needs_the_engine_keys() -> None:
    with pytest.raises(ValidationError, match="missing, policy"):
        RecommendationComputed(
            recommendation={
                "outcome": "publish",
                "exceptions_met": [],
                "blocked_by": [],
                "referrals": [],
                "conditions": [],
                "redactions": [],
            },
            policy=POLICY,
        )


def test_a_signoff_must_cover_the_head_it_is_stored_after() -> None:
    first = build_log([opened()])[0]
    build_event(2, START, OFFICER, first.hash, signoff(first.hash))
    with pytest.raises(ValidationError, match="head"):
        build_event(2, START, OFFICER, first.hash, signoff("ab" * 32))


def test_case_opened_needs_a_case_id() -> None:
    with pytest.raises(ValidationError):
        opened("../BWV-2024-0001")


def test_log_line_schema_shape() -> None:
    schema = event_log_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["discriminator"]["mapping"]) == TYPES
    assert len(schema["oneOf"]) == len(TYPES)
    defs = schema["$defs"]
    for ref in schema["oneOf"]:
        model = defs[ref["$ref"].rsplit("/", 1)[1]]
        assert model["additionalProperties"] is False
        assert {"seq", "at", "actor", "prev", "type", "hash"} <= set(model["required"])
        later = set(model["properties"]) & {  # fields added to an event type later
            *("review_by", "condition_notes", "course"),
            *("templates_sha256", "custom_templates"),
        }
        assert set(model["required"]) == set(model["properties"]) - later
        assert model["properties"]["at"]["pattern"].endswith(r"\.\d{6}Z$")
        assert model["properties"]["hash"]["pattern"] == "^[0-9a-f]{64}$"
    json.dumps(schema)  # plain JSON, usable by any JSON Schema tool


def test_an_optional_field_is_left_out_when_empty_and_kept_when_given(store: CaseStore) -> None:
    """A decision without a named course stores no `course` key (old logs stay valid)."""
    from bwvdisclose.case import DecisionRecorded
    from bwvdisclose.case.events import event_line

    plain = DecisionRecorded(
        outcome="do_not_publish", recommended="do_not_publish", departure=False, rationale=""
    )
    named = plain.model_copy(update={"course": "context_statement"})
    case_id = open_case(store)
    for body in (plain, named):
        store.append(case_id, OFFICER, body)
    events = store.read(case_id)
    lines = [event_line(e) for e in events[-2:]]
    assert b'"course"' not in lines[0]
    assert b'"course":"context_statement"' in lines[1]
    assert store.verify_and_read(case_id)[0].ok


def test_fields_added_later_are_left_out_while_unset() -> None:
    """An older decision line (no review date, no notes) stays canonical; a null is not."""
    from bwvdisclose.case.verify import Chain

    from .conftest import decision

    base = build_log([opened(), decision()])
    line = event_line(base[1])
    assert b"review_by" not in line and b"condition_notes" not in line
    chain = Chain("BWV-2024-0001")
    chain.check(event_line(base[0]).rstrip(b"\n"))
    assert chain.check(line.rstrip(b"\n")).review_by is None  # type: ignore[union-attr]

    noted = decision().model_copy(
        update={"review_by": "2027-01-31", "condition_notes": {"review_date_required": "Booked"}}
    )
    full = build_log([opened(), noted])
    assert b'"review_by":"2027-01-31"' in event_line(full[1])
    chain = Chain("BWV-2024-0001")
    chain.check(event_line(full[0]).rstrip(b"\n"))
    assert chain.check(event_line(full[1]).rstrip(b"\n")).review_by == "2027-01-31"  # type: ignore[union-attr]

    obj = json.loads(line)
    obj["review_by"] = None
    obj["hash"] = event_hash(obj)
    chain = Chain("BWV-2024-0001")
    chain.check(event_line(base[0]).rstrip(b"\n"))
    with pytest.raises(Exception, match="canonical"):
        chain.check(canonical_json(obj))
