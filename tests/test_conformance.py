"""conformance.py's evaluation: the summary it checks logs against is `evaluate`'s own."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bwvdisclose.answers import validate_answers, values
from bwvdisclose.engine import evaluate, summarise
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.examples import load_example
from bwvdisclose.synth.plan import random_answers
from tests.conftest import CRITERIA

FOLDERS = sorted(p for p in CRITERIA.iterdir() if (p / "policy.yaml").is_file())


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_summarise_is_evaluate_summary(folder: Path) -> None:
    policy = load_policy(folder)
    sets = [
        values(validate_answers(policy, load_example(p).answers, p.stem))
        for p in sorted((folder / "examples").glob("*.yaml"))
    ]
    rng = random.Random(1)
    sets += [random_answers(rng, policy) for _ in range(40)]
    sets += [dict(list(s.items())[: len(s) // 2]) for s in sets[:20]]  # half answered
    for answers in sets:
        assert summarise(policy, answers) == evaluate(policy, answers).summary()
