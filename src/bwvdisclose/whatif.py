"""What would change the outcome: the smallest answer changes that give another result."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from bwvdisclose.engine import Answers, evaluate
from bwvdisclose.policy.models import AnswerValue, Policy, Question
from bwvdisclose.recommendation import Change, Flip, Recommendation

MAX_FLIPS = 12


def what_would_change(
    policy: Policy, answers: Answers, current: Recommendation | None = None
) -> list[Flip]:
    """Single-answer changes that flip the outcome; pairs when no single change does.

    Only decided outcomes count: a change that leaves the case incomplete is not listed.
    """
    current = current or evaluate(policy, answers)
    if current.outcome == "incomplete":
        return []
    singles = [[c] for c in _alternatives(policy, answers)]
    flips = _flips(policy, answers, current.outcome, singles)
    if flips:
        return flips
    pairs = ([a, b] for a, b in combinations([s[0] for s in singles], 2) if a.id != b.id)
    return _flips(policy, answers, current.outcome, pairs)


def _flips(
    policy: Policy,
    answers: Answers,
    outcome: str,
    candidates: Iterator[list[Change]] | list[list[Change]],
) -> list[Flip]:
    found: list[Flip] = []
    for changes in candidates:
        trial = dict(answers)
        trial.update({c.id: c.after for c in changes})
        result = evaluate(policy, trial, explain=False)
        if result.outcome not in (outcome, "incomplete"):
            found.append(Flip(changes=changes, outcome=result.outcome))
            if len(found) >= MAX_FLIPS:
                break
    return found


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
            yield sorted(set(before) ^ {c})
