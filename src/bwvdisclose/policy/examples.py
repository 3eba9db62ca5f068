"""A policy's own examples: answers in, expected result out, kept beside the policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bwvdisclose.answers import validate_answers, values
from bwvdisclose.datafile import flatten_validation_error, load_data
from bwvdisclose.engine import evaluate
from bwvdisclose.errors import PolicyError
from bwvdisclose.policy.models import Outcome, Policy
from bwvdisclose.recommendation import Recommendation

EXAMPLES_DIR = "examples"


class Expectation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: Outcome
    exceptions_met: list[str] | None = None
    blocked_by: list[str] | None = None
    referrals: list[str] | None = None
    conditions: list[str] | None = None
    redactions: list[str] | None = None
    missing: list[str] | None = None


class Example(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = ""
    description: str
    answers: dict[str, Any]
    expect: Expectation


def example_files(folder: Path) -> list[Path]:
    return sorted((folder / EXAMPLES_DIR).glob("*.yaml"))


def load_example(path: Path) -> Example:
    data = load_data(path, "example file")
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping")
    try:
        return Example.model_validate({**data, "name": path.stem})
    except ValidationError as exc:
        raise PolicyError(flatten_validation_error(str(path), exc)) from None


def check_example(policy: Policy, example: Example) -> tuple[Recommendation, list[str]]:
    """Evaluate an example; return the recommendation and every way it differs from expected."""
    answers = validate_answers(policy, example.answers, example.name)
    rec = evaluate(policy, values(answers))
    got = rec.summary()
    problems = []
    for key, want in example.expect.model_dump(exclude_none=True).items():
        if got[key] != (sorted(want) if isinstance(want, list) else want):
            problems.append(f"{example.name}: {key}: expected {want}, got {got[key]}")
    return rec, problems
