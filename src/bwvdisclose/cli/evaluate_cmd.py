"""`bwvdisclose evaluate`: a recommendation for an answers file, explained."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bwvdisclose.answers import load_answers, values
from bwvdisclose.cli.options import criteria_option, format_option
from bwvdisclose.engine import evaluate
from bwvdisclose.explain import explain
from bwvdisclose.policy import load_policy
from bwvdisclose.whatif import what_would_change


@click.command("evaluate")
@click.argument("answers_file", type=click.Path(path_type=Path, dir_okay=False))
@criteria_option
@format_option("text", "json")
def evaluate_command(answers_file: Path, criteria: Path | None, fmt: str) -> None:
    """Recommend for the answers in ANSWERS_FILE (YAML or JSON), clause by clause.

    Each answer is `question.id: value` or `question.id: {value: ..., rationale: ...}`.
    """
    policy = load_policy(criteria)
    given = load_answers(answers_file, policy)
    answers = values(given)
    rec = evaluate(policy, answers).with_rationales({k: a.rationale for k, a in given.items()})
    flips = what_would_change(policy, answers, rec)
    if fmt == "json":
        doc = {**rec.to_json(), "what_would_change": [f.to_json() for f in flips]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(explain(policy, rec, flips), nl=False)
