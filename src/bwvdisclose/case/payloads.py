"""What happens in a case: the payload of each event type, and who did it.

A caller builds one of these and passes it to `CaseStore.append`; the store wraps it in
the envelope (seq, at, actor, prev, hash) of events.py. Times are UTC and are written
ISO 8601 with microseconds and `Z`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from bwvdisclose.policy.models import PolicyRef

HEX64 = r"^[0-9a-f]{64}$"
TIME_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"
_TIME_RE = re.compile(TIME_PATTERN.strip("^$"))
_EXAMPLE = "2024-05-01T12:00:00.000000Z"
CASE_ID_PATTERN = r"^BWV-(\d{4})-(\d{4}|[1-9]\d{4,})$"
DAY_PATTERN = r"^\d{4}-\d\d-\d\d$"


def format_time(value: dt.datetime) -> str:
    """UTC, microseconds, `Z`: 2024-05-01T12:00:00.000000Z."""
    utc = value.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def _parse_time(value: object) -> object:
    if isinstance(value, str):
        if not _TIME_RE.fullmatch(value):
            raise ValueError("must be UTC ISO 8601 with microseconds and Z, e.g. " + _EXAMPLE)
        return dt.datetime.fromisoformat(value)  # Z gives UTC
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise ValueError("must be timezone-aware")
        return value.astimezone(dt.UTC)
    return value


UtcTime = Annotated[
    dt.datetime,
    BeforeValidator(_parse_time),
    PlainSerializer(format_time, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": TIME_PATTERN}),
]
Hex64 = Annotated[str, Field(pattern=HEX64)]
Text = Annotated[str, Field(min_length=1)]
AnswerValue = bool | str | list[str]
Outcome = Literal["publish", "publish_with_redactions", "do_not_publish"]
SignoffRole = Literal["decision_maker", "legal", "data_protection"]
RECOMMENDATION_KEYS = frozenset(
    {"outcome", "exceptions_met", "blocked_by", "referrals", "conditions", "redactions"}
    | {"missing", "policy"}
)


class Frozen(BaseModel):
    """A strict, immutable model. Fields named in OPTIONAL were added to an event type later:
    they are left out of the stored line while unset, so older logs stay canonical."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _leave_out_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.OPTIONAL:
            if data.get(name) is None:
                data.pop(name, None)
        return data

    def stored_fields(self) -> int:
        """How many fields the stored line of this model holds."""
        unset = sum(getattr(self, name) is None for name in self.OPTIONAL)
        return len(type(self).model_fields) - unset


class Actor(Frozen):
    """Who did it: name, job role (e.g. "duty officer") and collar or staff number."""

    name: Text
    role: Text
    number: Text


class Signer(Frozen):
    name: Text
    rank: Text
    number: Text


# --- payloads: what a caller passes to CaseStore.append -----------------------------------


class CaseOpened(Frozen):
    type: Literal["case_opened"] = "case_opened"
    case_id: str = Field(pattern=CASE_ID_PATTERN)
    incident_ref: Text
    occurred: UtcTime
    location: Text
    clips: list[str]
    policy: PolicyRef
    notes: str = ""


class AnswerRecorded(Frozen):
    type: Literal["answer_recorded"] = "answer_recorded"
    question: Text
    value: AnswerValue
    rationale: str


class AnswerChanged(Frozen):
    type: Literal["answer_changed"] = "answer_changed"
    question: Text
    value: AnswerValue
    previous: AnswerValue
    rationale: str
    reason: Text


class RecommendationComputed(Frozen):
    type: Literal["recommendation_computed"] = "recommendation_computed"
    recommendation: dict[str, Any]
    policy: PolicyRef

    @model_validator(mode="after")
    def _has_engine_keys(self) -> RecommendationComputed:
        missing = RECOMMENDATION_KEYS - set(self.recommendation)
        if missing:
            raise ValueError(f"recommendation lacks keys: {', '.join(sorted(missing))}")
        return self


class PolicyApproval(Frozen):
    """A policy owner's signature over a policy version's SHA-256 (see trust/approval.py)."""

    policy_id: Text
    version: Text
    sha256: Hex64
    approved_at: Text = Field(description="UTC, ISO 8601, as signed.")
    certificate: Text = Field(description="The policy owner's certificate, PEM.")
    fingerprint: Hex64 = Field(description="SHA-256 of the certificate DER.")
    signature: str = Field(pattern=r"^[A-Za-z0-9+/]+={0,2}$", description="Base64.")
    algorithm: Text
    chain: list[Text] = Field(
        default_factory=list, max_length=5, description="Intermediate CA certificates, PEM."
    )


class DecisionRecorded(Frozen):
    """The decision maker's decision. `review_by` (a publish decision's review date) and
    `condition_notes` (what was done about each condition) came with version 2020.2 of
    the policy; decisions logged before then have neither."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"review_by", "condition_notes", "course"})
    type: Literal["decision_recorded"] = "decision_recorded"
    outcome: Outcome
    recommended: Text
    departure: bool
    rationale: str
    review_by: str | None = Field(default=None, pattern=DAY_PATTERN, description="YYYY-MM-DD.")
    condition_notes: dict[str, Text] | None = Field(
        default=None, description="Condition ID -> what the decision maker did about it."
    )
    course: str | None = Field(
        default=None,
        description="The course chosen within the outcome, e.g. context_statement.",
    )
    approval: PolicyApproval | None = Field(
        default=None, description="The approval of the policy version that decided the case."
    )


B64_RE = r"^[A-Za-z0-9+/]+={0,2}$"
TokenB64 = Annotated[str, Field(pattern=B64_RE, max_length=24_000)]
RevinfoB64 = Annotated[str, Field(pattern=B64_RE, max_length=90_000)]


class SignoffEvidence(Frozen):
    """Proof of when a sign-off was signed and that its certificate stood then (base64 DER)."""

    timestamp: TokenB64 = Field(
        description="RFC 3161 TimeStampToken over SHA-256 of the sign-off's signature value."
    )
    ocsp: list[RevinfoB64] = Field(
        max_length=8, description="OCSP responses for the signer's chain, fetched at signing."
    )
    crls: list[RevinfoB64] = Field(
        max_length=8, description="CRLs for the signer's chain, fetched at signing."
    )


class SignoffRecorded(Frozen):
    type: Literal["signoff_recorded"] = "signoff_recorded"
    role: SignoffRole
    signer: Signer
    head: Hex64 = Field(description="The log head the signature covers (this event's prev).")
    signature: str = Field(pattern=r"^[A-Za-z0-9+/]+={0,2}$", description="Base64.")
    algorithm: Text
    certificate: Text = Field(description="PEM.")
    fingerprint: Hex64 = Field(description="SHA-256 of the certificate DER.")
    outcome: Outcome = Field(description="The decision signed off (in the signed statement).")
    policy_sha256: Hex64 = Field(description="The policy version decided under (signed).")
    chain: list[Text] = Field(
        default_factory=list, max_length=5, description="Intermediate CA certificates, PEM."
    )
    evidence: SignoffEvidence | None = Field(
        default=None, description="Timestamp and revocation data, when signed with --tsa."
    )


class RecordRendered(Frozen):
    type: Literal["record_rendered"] = "record_rendered"
    file: Text
    sha256: Hex64
    size: int = Field(ge=0)
    head: Hex64 = Field(description="The log head the record covers.")
    templates_sha256: Hex64 | None = Field(
        default=None, description="SHA-256 of the templates the record was rendered from."
    )
    custom_templates: bool | None = Field(
        default=None,
        description="True when those are not the shipped templates (BWVDISCLOSE_TEMPLATES).",
    )
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"templates_sha256", "custom_templates"})


class FootageFingerprinted(Frozen):
    """A footage file assessed: its name, size and SHA-256, read in full by the tool."""

    type: Literal["footage_fingerprinted"] = "footage_fingerprinted"
    name: Text = Field(max_length=255, description="The file's name, without its folder.")
    size: int = Field(ge=0, description="Bytes.")
    sha256: Hex64


class DisclosureRecorded(Frozen):
    """A release of the footage (DPA 2018 s.62 log of disclosure): when, to whom or where,
    under which decision and record. Who disclosed it is the event's actor."""

    type: Literal["disclosure_recorded"] = "disclosure_recorded"
    released_at: UtcTime
    to: Text = Field(description="The recipient or channel.")
    url: str = Field(description="Where it was published, if anywhere; empty if not.")
    decision_seq: int = Field(ge=1, description="The decision event it was released under.")
    outcome: Outcome
    record_sha256: Hex64 = Field(description="The decision record that covers the decision.")


class WithdrawalRecorded(Frozen):
    """A takedown: every release not yet withdrawn is withdrawn, for the reason given."""

    type: Literal["withdrawal_recorded"] = "withdrawal_recorded"
    reason: Text
    releases: list[int] = Field(min_length=1, description="The seqs of the releases withdrawn.")


PAYLOADS = (
    CaseOpened,
    AnswerRecorded,
    AnswerChanged,
    RecommendationComputed,
    DecisionRecorded,
    SignoffRecorded,
    RecordRendered,
    DisclosureRecorded,
    WithdrawalRecorded,
    FootageFingerprinted,
)
Body = Annotated[
    CaseOpened
    | AnswerRecorded
    | AnswerChanged
    | RecommendationComputed
    | DecisionRecorded
    | SignoffRecorded
    | RecordRendered
    | DisclosureRecorded
    | WithdrawalRecorded
    | FootageFingerprinted,
    Field(discriminator="type"),
]
