"""What would change the outcome: answer changes, alone or in pairs, that give another result.

Nothing is cut: every single change that gives another outcome is listed (one that leaves
the case `incomplete` says what would then need answering), then every pair of changes
that gives another decided outcome where neither change alone does. A change to an
answer that plays no part (a question that does not apply, or a pair holding a change
that already changes the outcome alone) cannot matter and is left out.

Pairs are pruned soundly: an evaluation is a function of the answers it reads. A change
`a` that leaves the outcome as it is went through the decision steps to that outcome
with nothing missing. If those steps never read question `b` (not even to see that it
is unanswered), then with `a` and `b` together they run exactly as with `a` alone and
reach the same outcome, so the pair cannot give another decided outcome and is not
tried. Likewise with `a` and `b` swapped. (The redactions and conditions looked at after
the steps can only make a result `incomplete`, which a pair is not listed for.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations

from bwvdisclose.engine import Answers, other_outcome, outcome_of
from bwvdisclose.policy.models import AnswerValue, Policy, Question
from bwvdisclose.recommendation import Change, Flip, Recommendation


class _Reads(Mapping[str, AnswerValue]):
    """A view of the answers that notes every question ID looked up, present or not."""

    def __init__(self, answers: dict[str, AnswerValue]) -> None:
        self.answers = answers
        self.read: set[str] = set()
        self.marked: set[str] = set()  # what had been read when `mark` was called

    def mark(self) -> None:
        self.marked = set(self.read)

    def __getitem__(self, qid: str) -> AnswerValue:
        self.read.add(qid)
        return self.answers[qid]

    def __contains__(self, qid: object) -> bool:
        if isinstance(qid, str):
            self.read.add(qid)
        return qid in self.answers

    def __iter__(self) -> Iterator[str]:
        self.read.update(self.answers)  # whoever walks them all may read any
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)


def what_would_change(
    policy: Policy, answers: Answers, current: Recommendation | None = None, prune: bool = True
) -> list[Flip]:
    """Single changes that change the outcome, then pairs that do only together.

    `prune=False` tries every pair of quiet changes (the tests compare the two).
    """
    outcome = current.outcome if current is not None else outcome_of(policy, answers)[0]
    if outcome == "incomplete":
        return []
    flips: list[Flip] = []
    quiet: list[tuple[Change, set[str]]] = []  # changes leaving the outcome, what steps read
    for change in _alternatives(policy, answers):
        trial = _Reads(_changed(answers, [change]))
        result, missing = outcome_of(policy, trial, after_steps=trial.mark)
        if result == outcome:
            quiet.append((change, trial.marked))
        else:
            flips.append(Flip(changes=[change], outcome=result, missing=missing))
    for (a, read_a), (b, read_b) in combinations(quiet, 2):
        if a.id == b.id or (prune and (b.id not in read_a or a.id not in read_b)):
            continue
        other = other_outcome(policy, _changed(answers, [a, b]), outcome)
        if other is not None:  # decided, and not as now
            flips.append(Flip(changes=[a, b], outcome=other))
    return flips


def _changed(answers: Answers, changes: list[Change]) -> dict[str, AnswerValue]:
    trial = dict(answers)
    trial.update({c.id: c.after for c in changes})
    return trial


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
