"""What would we have recommended under another policy? Re-evaluate every stored case.

Each case's current answers are evaluated under the new policy and compared with the
recommendation the case holds. A case is listed when the outcome or any of its
exceptions, blocks, referrals, conditions or redactions would differ, with the rules
whose result differs between the two evaluations (traces compared item by item) and
the clauses they cite. An `incomplete` result names the questions the new policy
would need answered. Replay only reads: it never writes to the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from bwvdisclose.audit.policies import PolicyCatalog
from bwvdisclose.audit.scan import map_cases
from bwvdisclose.case import (
    AnswerChangedEvent,
    AnswerRecordedEvent,
    CaseOpenedEvent,
    Event,
    RecommendationComputedEvent,
)
from bwvdisclose.engine import evaluate
from bwvdisclose.policy.models import AnswerValue, Policy, PolicyRef
from bwvdisclose.recommendation import Recommendation, TraceItem
from bwvdisclose.store import CaseStore, open_store

FIELDS = (
    "outcome", "exceptions_met", "blocked_by", "referrals", "referrals_triggered",
    "conditions", "redactions",
)  # fmt: skip
# The trace kind behind each list: an item whose rule came out unknown is neither in the
# list nor out of it, and the summary says so, as the rule lines do.
KINDS = {
    "exceptions_met": "exception", "referrals": "referral", "referrals_triggered": "referral",
    "conditions": "condition", "redactions": "redaction",
}  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleDiff(_Frozen):
    """A rule of the trace whose result differs: held, not held, unknown or not in the policy."""

    kind: str
    id: str
    title: str
    before: str
    after: str
    cites: list[str]
    clauses: list[str]


class CaseChange(_Frozen):
    case_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    changed: list[str]
    missing: list[str]  # what the new policy needs answered, when it gives incomplete
    rules: list[RuleDiff]
    # per changed list, the items whose rule is unknown (neither held nor not) on each side
    unknown_before: dict[str, list[str]] = {}
    unknown_after: dict[str, list[str]] = {}
    note: str = ""


Result = CaseChange | str | None  # a change, why the case cannot be read, or no change


@dataclass
class ReplaySummary:
    """Counts over a replay, and the changes themselves when `keep` (for JSON output)."""

    policy: dict[str, str]
    keep: bool = True
    cases: int = 0
    changed: int = 0
    changes: list[CaseChange] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    transitions: Counter[str] = field(default_factory=Counter)
    needs: Counter[str] = field(default_factory=Counter)  # question -> cases that need it

    def add(self, result: Result) -> None:
        self.cases += 1
        if isinstance(result, str):
            self.unreadable.append(result)
        elif result is not None:
            self.changed += 1
            self.transitions[f"{result.before['outcome']} -> {result.after['outcome']}"] += 1
            self.needs.update(result.missing)
            if self.keep:
                self.changes.append(result)

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "cases": self.cases,
            "changed": self.changed,
            "unchanged": self.cases - self.changed - len(self.unreadable),
            "unreadable": self.unreadable,
            "transitions": dict(sorted(self.transitions.items())),
            "needs_answers": dict(sorted(self.needs.items())),
            "changes": [c.model_dump(mode="json") for c in self.changes],
        }


def _subset(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: summary[k] for k in FIELDS if k in summary}


@dataclass(frozen=True)
class Held:
    """What replay needs of a case: its current answers and the recommendation it holds."""

    answers: dict[str, AnswerValue]
    recommendation: dict[str, Any] | None
    policy: PolicyRef  # the policy of that recommendation, else the case's own


def held(events: list[Event]) -> Held:
    """The last answer to each question and the last recommendation, from verified events.

    The same answers and recommendation as `fold` gives, without building the whole
    state (replay reads every case; `audit verify` checks the log's grammar).
    """
    answers: dict[str, AnswerValue] = {}
    rec: RecommendationComputedEvent | None = None
    for e in events:
        if isinstance(e, AnswerRecordedEvent | AnswerChangedEvent):
            answers[e.question] = e.value
        elif isinstance(e, RecommendationComputedEvent):
            rec = e
    opened = events[0]
    assert isinstance(opened, CaseOpenedEvent)
    policy = rec.policy if rec else opened.policy
    return Held(answers, rec.recommendation if rec else None, policy)


def read_held(store: CaseStore, case_id: str) -> Held | str:
    verdict, events = store.verify_and_read(case_id)
    if not verdict.ok:
        return f"{case_id}: fails verification at event {verdict.bad_seq}: {verdict.problem}"
    return held(events)


def replay_case(
    store: CaseStore, catalog: PolicyCatalog, new: Policy, case_id: str
) -> CaseChange | str | None:
    """The change for one case, None if nothing would change, or why it cannot be read."""
    state = read_held(store, case_id)
    if isinstance(state, str):
        return state
    answers = state.answers
    after_rec = evaluate(new, answers, explain=False)  # the trace only for cases that change
    after = _subset(after_rec.summary())
    found = catalog.find(state.policy)
    stored, base = state.recommendation, None
    if stored is None:  # never evaluated (no answers yet): compare with its own policy
        base = evaluate(found.policy, answers)
        stored = base.summary()
    before = _subset(stored)
    changed = [k for k in FIELDS if k in before and before[k] != after[k]]
    if not changed:
        return None
    base = base or evaluate(found.policy, answers)
    after_rec = evaluate(new, answers)
    note = "" if found.exact else f"rules compared with {found.policy.id} {found.policy.version}"
    return CaseChange(
        case_id=case_id,
        before=before,
        after=after,
        changed=changed,
        missing=after_rec.missing,
        rules=rule_diffs(found.policy, base, new, after_rec),
        unknown_before=unknown_items(base, changed),
        unknown_after=unknown_items(after_rec, changed),
        note=note,
    )


def unknown_items(rec: Recommendation, fields: list[str]) -> dict[str, list[str]]:
    """For each list in `fields`, the items whose rule is unknown (as the rule lines say)."""
    found: dict[str, list[str]] = {}
    for name in fields:
        kind = KINDS.get(name)
        ids = [t.id for t in rec.trace if t.kind == kind and is_unknown(t, rec.outcome)]
        if ids:
            found[name] = ids
    return found


def rule_ids(policy: Policy) -> set[tuple[str, str]]:
    """Every (kind, id) a trace of `policy` can hold."""
    kinds: dict[str, list[Any]] = {
        "exception": policy.exceptions, "fact": policy.facts, "step": policy.steps,
        "referral": policy.referrals, "redaction": policy.redactions,
        "condition": policy.conditions,
    }  # fmt: skip
    return {(kind, rule.id) for kind, rules in kinds.items() for rule in rules}


def _result(item: TraceItem | None, known: bool, outcome: str) -> str:
    if item is None:
        return "not reached" if known else "not in the policy"
    if item.held is None and not is_unknown(item, outcome):
        return "does not apply"
    return {True: "held", False: "did not hold", None: "unknown"}[item.held]


def is_unknown(item: TraceItem, outcome: str) -> bool:
    """The rule's result is open: its answers are missing, or the outcome it hangs on is."""
    return item.held is None and (item.applies or outcome == "incomplete")


def rule_diffs(
    old: Policy, base: Recommendation, new: Policy, after_rec: Recommendation
) -> list[RuleDiff]:
    """Trace items (by kind and id) whose result differs, in the new trace's order.

    An item missing from a trace is `not reached` (a later step, or the referrals, when
    an earlier step decided) or `not in the policy`.
    """
    was = {(t.kind, t.id): t for t in base.trace}
    now = {(t.kind, t.id): t for t in after_rec.trace}
    old_ids, new_ids = rule_ids(old), rule_ids(new)
    diffs = []
    for key in [*now, *(k for k in was if k not in now)]:
        a, b = was.get(key), now.get(key)
        if a is not None and b is not None and a.held == b.held:
            continue
        shown = b or a
        assert shown is not None
        diffs.append(
            RuleDiff(
                kind=key[0],
                id=key[1],
                title=shown.title,
                before=_result(a, key in old_ids, base.outcome),
                after=_result(b, key in new_ids, after_rec.outcome),
                cites=shown.cites,
                clauses=shown.clauses,
            )
        )
    return diffs


def replay_store(
    root: Path | CaseStore, catalog: PolicyCatalog, new: Policy, workers: int | None = None
) -> Iterator[Result]:
    """Replay every case under `new`, in store order, one case read at a time."""
    store = open_store(root)
    task = partial(replay_case, store, catalog, new)
    yield from map_cases(task, store.list_ids(), workers, store.prefetch)


def new_summary(new: Policy, keep: bool = True) -> ReplaySummary:
    return ReplaySummary(
        policy={"id": new.id, "version": new.version, "sha256": new.sha256}, keep=keep
    )
