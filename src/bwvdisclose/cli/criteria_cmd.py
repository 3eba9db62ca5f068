"""`bwvdisclose criteria`: inspect and lint policy folders."""

from __future__ import annotations

from pathlib import Path

import click

from bwvdisclose.errors import PolicyError
from bwvdisclose.policy.lint import lint
from bwvdisclose.policy.load import default_policy_dir


@click.group("criteria")
def criteria_group() -> None:
    """Work with policy folders (criteria as data)."""


@criteria_group.command("check")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
def check_command(folder: Path | None) -> None:
    """Lint a policy folder: citations, reachable questions, advice, and its examples."""
    folder = folder or default_policy_dir()
    policy, problems, examples = lint(folder)
    if problems:
        raise PolicyError("\n".join([f"{folder}: {len(problems)} problem(s)", *problems]))
    click.echo(
        f"{policy.id} {policy.version}: ok ({len(policy.questions)} questions, "
        f"{examples} examples pass; sha256 {policy.sha256})"
    )
