"""What would change the outcome: answer changes, alone or in pairs, that give another result.

Nothing is cut: every single change that gives another outcome is listed (one that leaves
the case `incomplete` says what would then need answering), then every pair of changes
that gives another decided outcome where neither change alone does. A change to an
answer that plays no part (a question that does not apply, or a pair holding a change
that already changes the outcome alone) cannot matter and is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from bwvdisclose.engine import Answers, evaluate
from bwvdisclose.policy.models import AnswerValue, Policy, Question
from bwvdisclose.recommendation import Change, Flip, Recommendation


def what_would_change(
    policy: Policy, answers: Answers, current: Recommendation | None = None
) -> list[Flip]:
    """Single changes that change the outcome, then pairs that do only together."""
    current = current or evaluate(policy, answers, explain=False)
    if current.outcome == "incomplete":
        return []
    flips: list[Flip] = []
    quiet: list[Change] = []  # single changes that leave the outcome as it is
    for change in _alternatives(policy, answers):
        result = _trial(policy, answers, [change])
        if result.outcome == current.outcome:
            quiet.append(change)
        else:
            flips.append(Flip(changes=[change], outcome=result.outcome, missing=result.missing))
    for a, b in combinations(quiet, 2):
        if a.id == b.id:
            continue
        result = _trial(policy, answers, [a, b])
        if result.outcome not in (current.outcome, "incomplete"):
            flips.append(Flip(changes=[a, b], outcome=result.outcome))
    return flips


def _trial(policy: Policy, answers: Answers, changes: list[Change]) -> Recommendation:
    trial = dict(answers)
    trial.update({c.id: c.after for c in changes})
    return evaluate(policy, trial, explain=False)


def _alternatives(policy: Policy, answers: Answers) -> Iterator[Change]:
    """Every other value of every answered (or defaulted) question that is not free text."""
    for q in policy.questions.values():
        before = answers.get(q.id, q.default)
        if before is None or q.type == "text":
            continue
        for after in _other_values(q, before):
            yield Change(id=q.id, before=before, after=after)


def _other_values(q: Question, before: AnswerValue) -> Iterator[AnswerValue]:
    if q.type == "bool":
        yield not before
    elif q.type == "choice":
        yield from (c for c in q.choices or [] if c != before)
    elif q.type == "multi" and isinstance(before, list):
        for c in q.choices or []:
            yield sorted(set(before) ^ {c}, key=(q.choices or []).index)
