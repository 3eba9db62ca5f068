"""`bwvdisclose assess`: answer a case's checklist, interactively or from a file."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from bwvdisclose.answers import Answer, load_answers, parse_text_value
from bwvdisclose.case import Actor
from bwvdisclose.cases import Cases, current_values
from bwvdisclose.caseview import case_view
from bwvdisclose.checklist import Checklist
from bwvdisclose.cli import views
from bwvdisclose.cli.common import open_case
from bwvdisclose.cli.options import (
    Acting,
    actor_options,
    criteria_option,
    did_you_mean,
    store_option,
)
from bwvdisclose.cli.prompter import TerminalPrompter
from bwvdisclose.cli.terminal import console
from bwvdisclose.errors import AnswersError
from bwvdisclose.policy.models import AnswerValue

EXIT_STOPPED = 130


class StoreSink:
    """Saves each checklist answer to the case log the moment it is given."""

    def __init__(self, cases: Cases, case_id: str, who: Actor) -> None:
        self.cases, self.case_id, self.who = cases, case_id, who

    def record(self, qid: str, value: AnswerValue, rationale: str) -> None:
        self.cases.record(self.case_id, self.who, qid, value, rationale)

    def change(
        self, qid: str, value: AnswerValue, previous: AnswerValue, rationale: str, reason: str
    ) -> None:
        self.cases.change(self.case_id, self.who, qid, value, previous, rationale, reason)


def run_checklist(
    cases: Cases, case_id: str, who: Actor, out: Console, start: str | None = None
) -> None:
    """Walk the checklist, then show the recommendation. Ctrl-C or EOF: stop, nothing lost."""
    state = cases.state(case_id)
    cases.check_policy(state)
    checklist = Checklist(
        cases.policy, current_values(state), TerminalPrompter(out), StoreSink(cases, case_id, who)
    )
    try:
        result = checklist.run(start)
    except (KeyboardInterrupt, EOFError):
        cases.recompute(case_id, who)
        out.print(
            "\n[yellow]Stopped. Every answer given is saved; "
            f"resume with: bwvdisclose assess {case_id}[/]"
        )
        raise click.exceptions.Exit(EXIT_STOPPED) from None
    summary(cases, case_id, who, out)
    if result.settled:
        out.print(
            f"[yellow]{result.remaining} question(s) left unanswered: they cannot change the "
            "recommendation. Answer them later, if the decision maker may depart from it, "
            f"with: bwvdisclose assess {case_id}[/]"
        )
    elif not result.finished:
        out.print(f"[yellow]Paused. Resume with: bwvdisclose assess {case_id}[/]")


def summary(cases: Cases, case_id: str, who: Actor, out: Console) -> None:
    cases.recompute(case_id, who)
    view = case_view(cases.state(case_id), cases.policy)
    out.print()
    out.print(views.answers_table(view.state, cases.policy))
    views.recommendation(out, view)
    views.next_steps(out, cases.policy, view.recommendation, view.state)


def parse_assignments(cases: Cases, pairs: tuple[str, ...], rationale: str) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    problems = []
    for pair in pairs:
        qid, sep, text = pair.partition("=")
        q = cases.policy.questions.get(qid.strip())
        if not sep or q is None:
            problems.append(f"--answer {pair}: expected QUESTION_ID=VALUE with a known question ID")
            continue
        if q.id in answers:
            problems.append(f"--answer {pair}: {q.id} is given more than once")
            continue
        try:
            answers[q.id] = Answer(value=parse_text_value(q, text), rationale=rationale)
        except ValueError as exc:
            problems.append(f"--answer {pair}: {exc}")
    if problems:
        raise AnswersError("\n".join(problems))
    return answers


@click.command("assess")
@click.argument("case_id")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record every answer in this file (validated first, all or nothing); no prompts.",
)
@click.option(
    "--answer",
    "pairs",
    multiple=True,
    metavar="ID=VALUE",
    help="Record one answer, e.g. iopc.advice=no_objection (repeatable); no prompts.",
)
@click.option("--rationale", default="", help="Rationale for the --answer values.")
@click.option(
    "--reason", default=None, help="Why answers change (required when any answer changes)."
)
@click.option(
    "--revisit",
    metavar="ID",
    help="Start the checklist at this question, to review or change its answer.",
)
@store_option
@criteria_option
@actor_options
def assess_command(
    case_id: str,
    answers_file: Path | None,
    pairs: tuple[str, ...],
    rationale: str,
    revisit: str | None,
    reason: str | None,
    store: str,
    criteria: Path | None,
    acting: Acting,
) -> None:
    """Answer the checklist for CASE_ID; resumes at the first unanswered question.

    Interactive: each question shows its menu; type the key, `?` for help, `back`
    to revisit the previous answer, `quit` to stop (everything given is saved).
    With --answers or --answer it records without prompting and recomputes.
    """
    cases = open_case(store, criteria, case_id)
    who = acting.actor()
    out = console()
    if revisit is not None and revisit not in cases.policy.questions:
        hint = did_you_mean(revisit, list(cases.policy.questions))
        raise AnswersError(f"--revisit {revisit}: unknown question{hint}")
    if answers_file is None and not pairs:
        run_checklist(cases, case_id, who, out, revisit)
        return
    answers = load_answers(answers_file, cases.policy) if answers_file else {}
    if pairs:
        given = parse_assignments(cases, pairs, rationale)
        both = sorted(set(given) & set(answers))
        if both:
            raise AnswersError(
                f"{', '.join(both)}: answered both in {answers_file} and with --answer; give one"
            )
        answers.update(given)
    recorded, changed = cases.apply(case_id, who, answers, reason or (rationale if pairs else None))
    out.print(f"{case_id}: {recorded} answer(s) recorded, {changed} changed")
    summary(cases, case_id, who, out)
