"""Does a case log mean what the tool would have written? Each event against its rules.

The hash chain proves that a log was not changed after the fact; it does not prove
that what was appended is something the tool would have written. Someone who can
append to a store (write access to a folder store, any PostgreSQL writer role) could
log a recommendation the policy does not give, a decision that calls itself no
departure, or a release with no decision, sign-offs or record behind it. This module
replays a case event by event and asks of each whether the workflow would have
accepted it at that point, through the very guard functions the commands call before
they write (cases.py, disclosure.py, trust/signoff.py), so the two cannot drift:

  answers          each answer fits the question under the policy of the recommendation
                   that follows it (a known question, an allowed value, a rationale where
                   the policy requires one)
  recommendation   equals a fresh evaluation of the answers as folded at that point, under
                   the policy version it names, of the case's own policy; a new result
  decision         on a recommendation the answers still gave; `recommended` and the
                   `departure` flag as they were; the decide rules (`check_decision`: not
                   incomplete or awaiting advice, a justification for a departure, a
                   course that fits), the review date, a note for each condition
  sign-off         the answers still gave the recommendation; `check_signable` (a current
                   decision, a role its outcome needs, not yet signed in that role)
  record           covers the head it follows; `check_recordable` (signed off in full)
  release          `check_releasable` (a current decision to publish, signed off, a
                   record, not withdrawn since); it names a record of that decision, and
                   `check_release_time`
  withdrawal       `check_withdrawable`, taking down every live release
  footage          not a fingerprint already recorded

Pure: the events and a way to find the policy a recommendation names, in; problems,
each naming the event, out. Evaluations are memoised by policy and answers, as an
audit checks many cases with the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bwvdisclose.answers import check_value
from bwvdisclose.case import (
    AnswerChangedEvent,
    AnswerEvent,
    AnswerRecordedEvent,
    CaseState,
    DecisionRecordedEvent,
    DisclosureRecordedEvent,
    Event,
    FootageFingerprintedEvent,
    RecommendationComputedEvent,
    RecordRenderedEvent,
    SignoffRecordedEvent,
    WithdrawalRecordedEvent,
)
from bwvdisclose.case.state import Folding
from bwvdisclose.cases import (
    check_condition_notes,
    check_decision,
    decision_conditions,
    lacking_rationale,
)
from bwvdisclose.disclosure import (
    check_releasable,
    check_release_time,
    check_withdrawable,
    review_date,
)
from bwvdisclose.engine import summarise
from bwvdisclose.errors import BwvError
from bwvdisclose.policy.models import AnswerValue, Policy, PolicyRef
from bwvdisclose.trust.signoff import check_recordable, check_signable

PolicyLookup = Callable[[PolicyRef], Policy | None]
BROKEN, UNCHECKED = "broken", "unchecked"
MEMO_SIZE = 4096


@dataclass(frozen=True)
class Problem:
    """An event the tool would not have written (`broken`), or one that could not be judged
    because the policy version it names is not at hand (`unchecked`)."""

    seq: int
    text: str
    kind: str = BROKEN

    def __str__(self) -> str:
        return f"event {self.seq}: {self.text}"


Summary = dict[str, Any]  # a Recommendation's summary(): what a case event holds
_memo: dict[tuple[str, tuple[tuple[str, object], ...]], Summary] = {}


def _frozen(answers: Mapping[str, AnswerValue]) -> tuple[tuple[str, object], ...]:
    """The answers as a key: sorted pairs, a list as a tuple (`True` and `"True"` differ)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in answers.items()))


def evaluation(policy: Policy, answers: Mapping[str, AnswerValue]) -> Summary:
    """`evaluate(policy, answers).summary()`, memoised by policy hash and answers."""
    key = (policy.sha256, _frozen(answers))
    found = _memo.get(key)
    if found is None:
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        found = _memo[key] = summarise(policy, answers)
    return found


def check_log(events: Sequence[Event], policies: PolicyLookup) -> list[Problem]:
    """Every event of a verified log the workflow would not have accepted where it stands.

    Raises IntegrityError, as `fold` does, when the log's grammar is broken.
    """
    if not events:
        return []
    walk = _Walk(Folding.start(events[0]), policies)
    for event in events[1:]:
        walk.check(event)
        walk.folding.apply(event)
    return walk.problems


class _Walk:
    """The case as it stood before each event, and what is wrong so far."""

    def __init__(self, folding: Folding, policies: PolicyLookup) -> None:
        self.folding = folding
        self.policies = policies
        self.policy: Policy | None = None  # of the current recommendation, when at hand
        self.answered: list[AnswerEvent] = []  # answers since the last recommendation
        self.problems: list[Problem] = []
        self._answers: dict[str, AnswerValue] | None = None  # as folded so far, until changed
        self._gives: Summary | None = None  # what they give under `policy`, until either changes

    def fail(self, event: Event, text: str, kind: str = BROKEN) -> None:
        self.problems.append(Problem(event.seq, text, kind))

    def refused(self, event: Event, what: str, exc: BwvError) -> None:
        self.fail(event, f"{what} the tool would have refused: {exc}")

    def state(self) -> CaseState:
        return self.folding.state()

    def answers(self) -> dict[str, AnswerValue]:
        if self._answers is None:
            self._answers = {qid: a.value for qid, a in self.folding.answers.items()}
        return self._answers

    def gives(self, policy: Policy) -> Summary:
        """What the answers so far give under `policy` (the current recommendation's)."""
        if self._gives is None:
            self._gives = evaluation(policy, self.answers())
        return self._gives

    def check(self, event: Event) -> None:
        match event:
            case AnswerRecordedEvent() | AnswerChangedEvent():
                self.answered.append(event)
                self._answers = self._gives = None  # the answers change with this event
            case RecommendationComputedEvent():
                self.recommendation(event)
            case DecisionRecordedEvent():
                self.decision(event)
            case SignoffRecordedEvent():
                self.signoff(event)
            case RecordRenderedEvent():
                self.record(event)
            case DisclosureRecordedEvent():
                self.release(event)
            case WithdrawalRecordedEvent():
                self.withdrawal(event)
            case FootageFingerprintedEvent():
                known = {f.sha256: f.seq for f in self.folding.footage}
                if event.sha256 in known:
                    self.fail(
                        event,
                        f"fingerprints footage already recorded (event "
                        f"{known[event.sha256]}); the tool records a file once",
                    )

    # --- answers and recommendations ------------------------------------------------------

    def recommendation(self, e: RecommendationComputedEvent) -> None:
        answered, self.answered = self.answered, []
        self._gives = None  # under the policy this one names
        before = self.folding.recommendation
        policy = self.policy = self.policies(e.policy)
        named = f"policy {e.policy.id} {e.policy.version} (sha256 {e.policy.sha256[:12]})"
        if policy is None:
            self.fail(
                e,
                f"the recommendation under {named} is not checked: that policy "
                "version is not at hand (give its folder with --criteria)",
                UNCHECKED,
            )
            return
        if PolicyRef.of(policy) != e.policy:
            self.fail(e, f"names {named}, but that SHA-256 is {policy.id} {policy.version}")
        opened = self.folding.opened.policy
        if e.policy.id != opened.id:
            self.fail(e, f"is under {named}, but the case was opened under {opened.id}")
        for a in answered:
            self.answer_fits(a, policy)
        fresh = self.gives(policy)
        if e.recommendation != fresh:
            self.fail(
                e,
                f"the recommendation is not what {named} gives for the answers at "
                f"that point: {_differences(e.recommendation, fresh)}",
            )
        elif before is not None and before.recommendation == fresh and before.policy == e.policy:
            self.fail(
                e,
                f"repeats the recommendation of event {before.seq}: the tool logs "
                "a recommendation only when it changes",
            )

    def answer_fits(self, a: AnswerEvent, policy: Policy) -> None:
        q = policy.questions.get(a.question)
        where = f"policy {policy.id} {policy.version}"
        if q is None:
            self.fail(a, f"answers {a.question}, which {where} does not ask")
            return
        if q.type != "text":  # text answers: the length and character rules of today's input
            try:
                check_value(q, a.value)  # (a list in another order is the same answer)
            except ValueError as exc:
                self.fail(a, f"{a.question} = {_short(a.value)}: {exc}")
        elif not isinstance(a.value, str):
            self.fail(a, f"{a.question} = {_short(a.value)}: {where} asks for text")
        if lacking_rationale(policy, {a.question: a.rationale}):
            self.fail(a, f"{a.question} has no rationale, which {where} requires")

    def fresh(self, event: Event) -> Summary | None:
        """What the answers give now under the current recommendation's policy; a problem
        (and None) if that is not the recommendation logged: the case had to be assessed
        again before this event."""
        current = self.folding.recommendation
        if current is None:
            self.fail(event, f"{event.type} with no recommendation before it")
            return None
        if self.policy is None:
            return None  # not at hand: said at the recommendation
        found = self.gives(self.policy)
        if found != current.recommendation:
            self.fail(
                event,
                f"{event.type} on the recommendation of event {current.seq}, which the "
                "answers at this point do not give (the tool evaluates them afresh and "
                "refuses a stale recommendation)",
            )
            return None
        return found

    # --- decisions and sign-offs ----------------------------------------------------------

    def decision(self, e: DecisionRecordedEvent) -> None:
        current = self.folding.recommendation
        if current is None:
            self.fail(e, "a decision with no recommendation before it")
            return
        said = current.recommendation.get("outcome")
        if e.recommended != said:
            self.fail(
                e,
                f"says the recommendation was {e.recommended}; it was {said} (event {current.seq})",
            )
        if e.departure != (e.outcome != said):
            flag = "a departure" if e.departure else "no departure"
            self.fail(
                e, f"decides {e.outcome} on a recommendation of {said} but is logged as {flag}"
            )
        rec = self.fresh(e)
        if rec is None or self.policy is None:
            return
        try:
            check_decision(
                rec["outcome"], rec["missing"], rec["referrals"], e.outcome, e.rationale, e.course
            )
            _check_review(e)
            conditions = decision_conditions(
                self.policy, rec["outcome"], rec["conditions"], self.answers(), e.outcome
            )
            check_condition_notes(conditions, e.condition_notes or {})
        except BwvError as exc:
            self.refused(e, "a decision", exc)

    def signoff(self, e: SignoffRecordedEvent) -> None:
        if self.fresh(e) is None or self.policy is None:
            return
        try:
            check_signable(self.state(), self.policy, e.role)
        except BwvError as exc:
            self.refused(e, f"a {e.role} sign-off", exc)

    # --- records, releases, withdrawals ---------------------------------------------------

    def record(self, e: RecordRenderedEvent) -> None:
        if e.head != e.prev:
            self.fail(e, f"a record of head {e.head[:12]}, not of the head it follows")
        if self.fresh(e) is None or self.policy is None:
            return
        try:
            check_recordable(self.state(), self.policy)
        except BwvError as exc:
            self.refused(e, "a record", exc)

    def release(self, e: DisclosureRecordedEvent) -> None:
        if self.policy is None:
            return
        try:
            state = self.state()
            _, record = check_releasable(state, self.policy)
            check_release_time(e.released_at, e.at, record)
        except BwvError as exc:
            self.refused(e, "a release", exc)
            return
        covering = {r.sha256 for r in state.records if r.seq > state.last_change_seq}
        if e.record_sha256 not in covering:
            self.fail(
                e,
                f"a release under a record (sha256 {e.record_sha256[:12]}) that is "
                "not a record of the current decision",
            )

    def withdrawal(self, e: WithdrawalRecordedEvent) -> None:
        try:
            live = check_withdrawable(self.state())
        except BwvError as exc:
            self.refused(e, "a withdrawal", exc)
            return
        if sorted(e.releases) != live:
            self.fail(
                e,
                f"withdraws releases {e.releases}; the tool takes down every live release ({live})",
            )


def _check_review(e: DecisionRecordedEvent) -> None:
    """`decide`'s review-date rule, as of the day the decision was logged or the day before:
    the command read its clock a moment before the append stamped the event, perhaps on
    the other side of midnight."""
    day = e.at.date()
    try:
        review_date(e.outcome, e.review_by, day)
    except BwvError:
        review_date(e.outcome, e.review_by, day - dt.timedelta(days=1))


def _differences(stored: Mapping[str, Any], fresh: Mapping[str, Any]) -> str:
    keys = [
        k for k in (*fresh, *(k for k in stored if k not in fresh)) if stored.get(k) != fresh.get(k)
    ]
    return "; ".join(
        f"{k} {_short(stored.get(k, '(none)'))}, not {_short(fresh.get(k, '(none)'))}" for k in keys
    )


def _short(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."
