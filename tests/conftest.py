from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bwvdisclose.cli.main import cli
from bwvdisclose.policy import Policy, load_policy

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CRITERIA = ROOT / "criteria"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(CRITERIA / "met-bwv-2020")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """Run the CLI in-process; exceptions are not swallowed, so a crash fails the test."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return run
