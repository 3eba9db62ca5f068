"""Every policy folder's own examples: answers in, expected result out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bwvdisclose.policy import load_policy
from bwvdisclose.policy.examples import check_example, example_files, load_example
from tests.conftest import CRITERIA

CASES = [
    pytest.param(folder, path, id=f"{folder.name}/{path.stem}")
    for folder in sorted(p for p in CRITERIA.iterdir() if (p / "policy.yaml").is_file())
    for path in example_files(folder)
]


def test_there_are_examples() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize(("folder", "path"), CASES)
def test_policy_example(folder: Path, path: Path) -> None:
    _, problems = check_example(load_policy(folder), load_example(path))
    assert problems == []
