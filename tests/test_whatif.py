"""The what-if search's shortcuts give exactly what the long way gives.

`engine.outcome_of` and `engine.other_outcome` (the trial fast paths) must say what
`evaluate` says, and the pruned pair search must find exactly the flips of trying every
pair. Checked on drawn answer sets for each shipped policy, on the demo answers and on
every policy example.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bwvdisclose.answers import load_answers, validate_answers, values
from bwvdisclose.engine import evaluate, other_outcome, outcome_of
from bwvdisclose.policy import Policy, load_policy
from bwvdisclose.policy.examples import example_files, load_example
from bwvdisclose.policy.models import OUTCOMES
from bwvdisclose.whatif import what_would_change
from tests.conftest import CRITERIA, ROOT
from tests.hardening.test_properties import answer_sets

FOLDERS = sorted(p.parent for p in CRITERIA.glob("*/policy.yaml"))
POLICIES = {f.name: load_policy(f) for f in FOLDERS}
BOUNDED = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _cases() -> list[tuple[str, dict[str, Any]]]:
    """(policy folder, answers): every example of every policy, and the demo answers."""
    found = []
    for folder in FOLDERS:
        policy = POLICIES[folder.name]
        for path in example_files(folder):
            example = load_example(path)
            found.append((folder.name, values(validate_answers(policy, example.answers, "x"))))
    default = load_policy()
    for path in sorted((ROOT / "demo" / "answers").glob("*.yaml")):
        found.append(("default", values(load_answers(path, default))))
    POLICIES["default"] = default
    return found


CASES = _cases()


def _agree(policy: Policy, answers: dict[str, Any]) -> None:
    rec = evaluate(policy, answers, explain=False)
    assert outcome_of(policy, answers) == (rec.outcome, rec.missing)
    for outcome in OUTCOMES:
        differs = rec.outcome not in (outcome, "incomplete")
        assert other_outcome(policy, answers, outcome) == (rec.outcome if differs else None)
    pruned = what_would_change(policy, answers, rec)
    assert pruned == what_would_change(policy, answers, rec, prune=False)
    assert pruned == what_would_change(policy, answers)  # `current` worked out alike
    for flip in pruned:  # and each flip says what evaluating it says
        changed = {**answers, **{c.id: c.after for c in flip.changes}}
        assert outcome_of(policy, changed) == (flip.outcome, flip.missing)


@pytest.mark.parametrize(
    ("folder", "answers"), CASES, ids=[f"{f}-{n}" for n, (f, _) in enumerate(CASES)]
)
def test_shortcuts_agree_on_examples_and_demo(folder: str, answers: dict[str, Any]) -> None:
    _agree(POLICIES[folder], answers)


@pytest.mark.parametrize("folder", [f.name for f in FOLDERS])
@BOUNDED
@given(data=st.data())
def test_shortcuts_agree_on_drawn_answers(folder: str, data: Any) -> None:
    policy = POLICIES[folder]
    _agree(policy, data.draw(answer_sets(policy)))


def test_pruning_tries_fewer_pairs_on_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pruning does cut trials (else the fast path would be the slow one by another name)."""
    import bwvdisclose.whatif as whatif

    policy = load_policy()
    answers = values(load_answers(ROOT / "demo" / "answers" / "protest.yaml", policy))
    calls = {"n": 0}
    for name in ("outcome_of", "other_outcome"):
        real = getattr(whatif, name)

        def counted(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            calls["n"] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(whatif, name, counted)
    what_would_change(policy, answers)
    pruned, calls["n"] = calls["n"], 0
    what_would_change(policy, answers, prune=False)
    assert pruned < calls["n"] / 3, (pruned, calls["n"])
