"""The disclosure lifecycle: a decision to publish, its review date, releases and takedowns.

DPA 2018 s.62 asks for logs of disclosure (justification, date and time, who disclosed,
who received); the APP asks that released images be reviewed and withdrawn when no longer
needed. A release is allowed only under a current decision to publish that is signed off
and covered by a decision record; a withdrawal takes down every live release; `due`
lists the releases on or past their review date and not withdrawn. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import re

from bwvdisclose.case import (
    CaseState,
    DecisionRecordedEvent,
    DisclosureRecorded,
    RecordRenderedEvent,
    WithdrawalRecorded,
)
from bwvdisclose.errors import CaseError
from bwvdisclose.policy.models import Policy
from bwvdisclose.safetext import WHAT, hidden_char
from bwvdisclose.signoff import ROLE_TEXT, decision_current, missing_roles

PUBLISHING = ("publish", "publish_with_redactions")
MAX_RECIPIENT = 300
MAX_URL = 2000
MAX_TEXT = 4000  # a rationale, a reason for a withdrawal, a note on a condition
MAX_REVIEW_DAYS = 3653  # a review date more than ten years ahead is a mistake
CLOCK_SKEW = dt.timedelta(minutes=5)
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.ASCII | re.IGNORECASE)


def bounded(text: str, what: str, limit: int, required: bool = True) -> str:
    """`text` stripped, or CaseError if it is empty (when required), too long or hides text."""
    text = text.strip()
    if required and not text:
        raise CaseError(f"{what} must not be empty")
    if len(text) > limit:
        raise CaseError(f"{what} is {len(text)} characters; at most {limit} are accepted")
    problem = hidden_char(text)
    if problem:
        raise CaseError(f"{what} holds {WHAT} ({problem})")
    return text


def parse_day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise CaseError(f"{what} {shown!r} is not a day like 2026-12-31") from None


def review_date(outcome: str, text: str | None, today: dt.date) -> str | None:
    """The review date a decision carries: required to publish, refused otherwise."""
    if outcome not in PUBLISHING:
        if text:
            raise CaseError(f"a review date is set only for a decision to publish, not {outcome}")
        return None
    if not text:
        raise CaseError(
            "a decision to publish needs a review date for the released footage: "
            "give --review-by YYYY-MM-DD (APP, release of images: reviewed and withdrawn "
            "when no longer needed)"
        )
    day = parse_day(text, "--review-by")
    if day <= today:
        raise CaseError(f"--review-by {day} is not after today ({today}); give a future day")
    if (day - today).days > MAX_REVIEW_DAYS:
        raise CaseError(f"--review-by {day} is more than ten years ahead; give a nearer day")
    return day.isoformat()


def release_for(
    state: CaseState, policy: Policy, to: str, url: str, at: dt.datetime, now: dt.datetime
) -> DisclosureRecorded:
    """The release event, or CaseError saying why the footage may not be released."""
    d, record = check_releasable(state, policy)
    check_release_time(at, now, record)
    return DisclosureRecorded(
        released_at=at,
        to=bounded(to, "--to (who received it, or where it was published)", MAX_RECIPIENT),
        url=check_url(url),
        decision_seq=d.seq,
        outcome=d.outcome,
        record_sha256=record.sha256,
    )


def check_releasable(
    state: CaseState, policy: Policy
) -> tuple[DecisionRecordedEvent, RecordRenderedEvent]:
    """The current decision and the record covering it, if the footage may be released now.

    The one rule for `disclosed` and for the verifier (conformance.py): a current decision
    to publish, signed off in every role `policy` requires, covered by a decision record,
    and not withdrawn since. Otherwise CaseError saying what is missing.
    """
    d = state.decision
    if d is None or not decision_current(state):
        raise CaseError(f"case {state.case_id} has no current decision; nothing may be released")
    if d.outcome not in PUBLISHING:
        raise CaseError(f"case {state.case_id} is decided {d.outcome}: nothing may be released")
    needed = missing_roles(state, policy)
    if needed:
        who = ", ".join(ROLE_TEXT.get(r, r) for r in needed)
        raise CaseError(f"case {state.case_id} is not signed off; still needed: {who}")
    fresh = [r for r in state.records if r.seq > state.last_change_seq]
    if not fresh:
        raise CaseError(
            f"case {state.case_id} has no decision record for its current decision; "
            "render it first with `bwvdisclose record`"
        )
    withdrawn = [w for w in state.withdrawals if w.seq > d.seq]
    if withdrawn:
        raise CaseError(
            f"the release of case {state.case_id} was withdrawn on {withdrawn[-1].at:%Y-%m-%d}; "
            "releasing it again needs a new decision"
        )
    return d, fresh[-1]


def check_release_time(at: dt.datetime, now: dt.datetime, record: RecordRenderedEvent) -> None:
    """CaseError if a release time is in the future or before the record it is made under."""
    if at > now + CLOCK_SKEW:
        raise CaseError(f"--at {at:%Y-%m-%d %H:%M} UTC is in the future")
    if at < record.at:
        raise CaseError(
            f"--at {at:%Y-%m-%d %H:%M} UTC is before the decision record was rendered "
            f"({record.at:%Y-%m-%d %H:%M} UTC)"
        )


def check_url(url: str) -> str:
    url = bounded(url, "--url", MAX_URL, required=False)
    if url and not _URL.fullmatch(url):
        raise CaseError("--url must be an http:// or https:// address without spaces")
    return url


def withdrawal_for(state: CaseState, reason: str) -> WithdrawalRecorded:
    """The takedown of every live release, or CaseError when there is none."""
    live = check_withdrawable(state)
    text = bounded(reason, "--reason", MAX_TEXT)
    return WithdrawalRecorded(reason=text, releases=live)


def check_withdrawable(state: CaseState) -> list[int]:
    """The seqs of the live releases (all of which a withdrawal takes down); CaseError if none.

    The one rule for `withdrawn` and for the verifier (conformance.py).
    """
    if not state.releases:
        raise CaseError(f"case {state.case_id} has no recorded release to withdraw")
    live = state.live_releases()
    if not live:
        last = state.withdrawals[-1]
        raise CaseError(f"case {state.case_id}: every release was withdrawn on {last.at:%Y-%m-%d}")
    return [r.seq for r in live]


def lifecycle_state(state: CaseState) -> str | None:
    """`released` or `withdrawn` once the footage went out, else None."""
    if not state.releases:
        return None
    return "released" if state.live_releases() else "withdrawn"
