"""Case commands: `new`, `list`, `show`, `verify`, `schema events`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from bwvdisclose.answers import load_answers
from bwvdisclose.case import event_log_schema, fold
from bwvdisclose.cases import Intake, check_intake, needs_rationale, status
from bwvdisclose.caseview import case_view
from bwvdisclose.cli import views
from bwvdisclose.cli.assess_cmd import EXIT_STOPPED, run_checklist
from bwvdisclose.cli.common import open_case, open_cases
from bwvdisclose.cli.footage_cmd import check_clips_against, fingerprint_files
from bwvdisclose.cli.intake import Draft, ask_intake, check_field
from bwvdisclose.cli.options import (
    Acting,
    actor_options,
    criteria_option,
    format_option,
    require_store,
    store_option,
    trust_option,
)
from bwvdisclose.cli.terminal import console, echo
from bwvdisclose.cli.trust import trust_roots
from bwvdisclose.errors import CaseError, IntegrityError, RecordError, TrustError
from bwvdisclose.localtime import parse_uk_time
from bwvdisclose.safetext import visible_data
from bwvdisclose.store import open_store

if TYPE_CHECKING:
    from bwvdisclose.trust.roots import TrustRoots


@click.command("new")
@click.option("--incident-ref", help="Incident reference, e.g. CAD 1234/20NOV26.")
@click.option(
    "--occurred",
    help="When it happened, e.g. 20/11/2026 14:30 or 2026-11-20T14:30 (UK local time unless "
    "an offset is given).",
)
@click.option("--location", help="Where it happened.")
@click.option("--clip", "clips", multiple=True, help="A BWV clip reference (repeatable).")
@click.option(
    "--clip-file",
    "clip_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A footage file to fingerprint (name, size, SHA-256; repeatable).",
)
@click.option("--notes", default="", help="Anything else the record should carry.")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record these answers and print only the new case ID (no prompts).",
)
@store_option
@criteria_option
@actor_options
def new_command(
    incident_ref: str | None,
    occurred: str | None,
    location: str | None,
    clips: tuple[str, ...],
    clip_files: tuple[Path, ...],
    notes: str,
    answers_file: Path | None,
    store: str,
    criteria: Path | None,
    acting: Acting,
) -> None:
    """Open a case: ask the intake details, then start the checklist.

    With --answers FILE it runs without prompting (intake from the options) and
    prints only the new case ID on stdout.
    """
    cases = open_cases(store, criteria, create=True)
    answers = load_answers(answers_file, cases.policy) if answers_file else None
    if answers is not None:  # checked before the case is opened: all or nothing
        needs_rationale(cases.policy, {k: a.rationale for k, a in answers.items()})
    given = {
        k: v
        for k, v in (("incident_ref", incident_ref), ("occurred", occurred), ("location", location))
        if v and v.strip()
    } | ({"clips": list(clips)} if clips else {})
    if answers is not None or not sys.stdin.isatty():
        who, fields, draft = acting.actor(), _scripted(given), None
    else:
        draft = Draft(store)
        try:
            who = acting.actor()
            fields = ask_intake(draft, given)
        except (KeyboardInterrupt, EOFError, click.Abort):
            echo(
                "\nStopped. Nothing is lost: what you typed is kept, and the next "
                "`bwvdisclose new` offers it.",
                err=True,
            )
            raise click.exceptions.Exit(EXIT_STOPPED) from None
    intake = Intake(
        incident_ref=fields["incident_ref"],
        occurred=_occurred(fields["occurred"]),
        location=fields["location"],
        clips=fields.get("clips", []),
        notes=notes,
    )
    check_intake(intake)
    prints = fingerprint_files(clip_files)  # read in full before the case is opened
    case_id = cases.open(who, intake)
    cases.add_footage(case_id, who, prints)
    if draft is not None:
        draft.discard()
    if answers is not None:
        cases.apply(case_id, who, answers, None)
        cases.recompute(case_id, who)
        echo(case_id)
        echo(f"{case_id} opened in {_where(cases.store.location)}", err=True)
        return
    out = console()
    out.print(f"Opened [bold]{case_id}[/] in {_where(cases.store.location)}")
    run_checklist(cases, case_id, who, out)


def _scripted(given: dict[str, Any]) -> dict[str, Any]:
    for field, option in (
        ("incident_ref", "--incident-ref"),
        ("occurred", "--occurred"),
        ("location", "--location"),
    ):
        if field not in given:
            raise click.UsageError(f"{option} is required")
        if field != "occurred":
            try:
                given[field] = check_field(given[field], option)
            except ValueError as exc:
                raise click.UsageError(str(exc)) from None
    return given


def _occurred(text: str) -> dt.datetime:
    try:
        return parse_uk_time(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--occurred'") from None


@click.command("list")
@store_option
@criteria_option
@format_option("table", "json")
def list_command(store: str, criteria: Path | None, fmt: str) -> None:
    """List the cases in the store with where each stands."""
    cases = open_cases(store, criteria)
    rows = []
    for case_id in cases.store.list_ids():
        try:
            state = fold(cases.store.read(case_id))
        except CaseError as exc:
            rows.append({"case_id": case_id, "status": f"DAMAGED: {exc}"})
            continue
        rec = state.recommendation or {}
        rows.append(
            {
                "case_id": case_id,
                "opened": f"{state.intake.opened_at:%Y-%m-%d %H:%M}",
                "incident_ref": state.intake.incident_ref,
                "recommended": rec.get("outcome", ""),
                "decided": state.decision.outcome if state.decision else "",
                "status": status(state, cases.policy),
            }
        )
    if fmt == "json":
        echo(json.dumps(visible_data(rows), indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Cases in {cases.store.location}", title_justify="left")
    for col in ("case_id", "opened", "incident_ref", "recommended", "decided", "status"):
        table.add_column(col.replace("_", " ").title(), overflow="fold")
    for row in rows:
        table.add_row(
            *(
                row.get(c, "")
                for c in ("case_id", "opened", "incident_ref", "recommended", "decided", "status")
            )
        )
    console().print(table if rows else f"No cases in {cases.store.location}")


@click.command("show")
@click.argument("case_id")
@store_option
@criteria_option
@format_option("text", "json")
def show_command(case_id: str, store: str, criteria: Path | None, fmt: str) -> None:
    """Show a case: state, current recommendation with reasons, and history."""
    cases = open_case(store, criteria, case_id)
    view = case_view(cases.state(case_id), cases.policy)
    state = view.state
    if fmt == "json":
        echo(json.dumps(visible_data(view.to_json()), indent=2, ensure_ascii=False))
        return
    out = console()
    views.header(out, view)
    out.print()
    out.print(views.answers_table(state, cases.policy))
    views.recommendation(out, view)
    views.next_steps(out, cases.policy, view.recommendation, state)
    out.print()
    out.print(views.history_table(state))
    releases = views.disclosure_table(state)
    if releases is not None:
        out.print()
        out.print(releases)


@click.command("verify")
@click.argument("target")
@store_option
@trust_option
@click.option(
    "--criteria",
    "criteria",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="BWVDISCLOSE_CRITERIA",
    default=None,
    help="A policy folder besides the shipped ones, to evaluate recommendations made under it.",
)
@click.option(
    "--clip",
    "clip_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A footage file: say whether it is footage the case assessed (repeatable).",
)
def verify_command(
    target: str,
    store: str,
    trust: tuple[Path, ...],
    criteria: Path | None,
    clip_files: tuple[Path, ...],
) -> None:
    """Verify a case (TARGET is a case ID) or a signed record (TARGET is a PDF).

    Checks the hash chain, every sign-off's signed statement, the policy approval, and
    that every signer chains to a trust root (--trust or BWVDISCLOSE_TRUST); and that
    every event is one the tool would have accepted at that point: each recommendation
    is what its policy version gives for the answers then, each decision's departure
    flag is true, each sign-off, record and release had what it needs. Prints
    "verified" and exits 0 only when all holds; exit 1 when something is broken,
    altered or could not have been written by the tool; exit 3 when all is intact but
    a signature is not trusted (naming whose) or a policy version named is not at hand
    (--criteria). With --clip FILE, also say whether FILE is footage the case
    assessed (its SHA-256 against the fingerprints recorded).
    """
    from bwvdisclose.audit.policies import PolicyVersions
    from bwvdisclose.audit.verify import verify_case
    from bwvdisclose.trust.paths import TrustChecker

    roots = trust_roots(trust, announce=True)
    if target.lower().endswith(".pdf") or _is_file(target):
        _verify_record(Path(target), roots)
        return
    require_store(store)
    cases = open_store(store)
    check, events = cases.verify_and_read(target)
    if not check.ok:
        where = f" at event {check.bad_seq}" if check.bad_seq else ""
        raise IntegrityError(f"{target}: FAILED{where}: {check.problem}")
    try:
        fold(events)  # the chain holds; the events must also make sense in order
    except IntegrityError as exc:
        raise IntegrityError(f"{target}: FAILED: {exc}") from None
    from bwvdisclose.audit.storelog import one_case_against_log

    for problem in one_case_against_log(cases, target, check, events):
        raise IntegrityError(f"{target}: FAILED: {problem}")
    versions = PolicyVersions([criteria] if criteria else [])
    verdict = verify_case(cases, target, checker=TrustChecker(roots), policies=versions)
    for note in [*verdict.notes, *views.custom_template_notes(fold(events))]:
        echo(f"note: {note}")
    for failure in verdict.failures:
        echo(f"FAIL {failure}")
    for text in verdict.untrusted:
        echo(f"NOT TRUSTED {text}")
    if verdict.failures:
        raise IntegrityError(f"{target}: FAILED: {verdict.failures[0]}")
    if verdict.untrusted:
        raise TrustError(f"{target}: intact but not trusted: {verdict.untrusted[0]}")
    echo(
        f"{target}: verified, {check.events} events, hash chain intact, every event one "
        f"the tool would write, every signature intact and trusted, head {check.head}"
    )
    if clip_files:
        check_clips_against(target, fold(events).footage, clip_files)


def _is_file(target: str) -> bool:
    try:
        return Path(target).is_file()
    except (OSError, ValueError):  # a name too long for a path is not a file either
        return False


def _verify_record(path: Path, roots: TrustRoots) -> None:
    from bwvdisclose.audit.sealing import check_report, is_report
    from bwvdisclose.record.check import check_record
    from bwvdisclose.record.verify import extract_attachments

    data = _read_record(path)
    try:
        report = is_report(extract_attachments(data))
    except RecordError:  # unreadable: the record check says what is wrong, line by line
        report = False
    result = check_report(data, roots) if report else check_record(data, roots)
    what = "report" if report else "record"
    for ok, text in result.lines:
        echo(f"{'ok  ' if ok else 'FAIL'} {text}")
    for text in result.untrusted:
        echo(f"NOT TRUSTED {text}")
    for note in result.notes:
        echo(f"note {note}")
    if not result.intact:
        raise IntegrityError(f"{path}: the {what} FAILED verification")
    if result.untrusted:
        raise TrustError(f"{path}: intact but NOT TRUSTED: {result.untrusted[0]}")
    echo(f"{path}: verified")


def _read_record(path: Path) -> bytes:
    from bwvdisclose.inputfile import read_input
    from bwvdisclose.record.verify import MAX_RECORD

    return read_input(path, "record", MAX_RECORD)


@click.group("schema")
def schema_group() -> None:
    """Print JSON Schemas for auditors' own tools."""


@schema_group.command("events")
def schema_events() -> None:
    """The JSON Schema of one line of a case's events.jsonl."""
    echo(json.dumps(event_log_schema(), indent=2))


def _where(location: str) -> str:
    """A store as a person should read it: a folder's full path, a database's URL."""
    from bwvdisclose.store.postgres.connect import is_postgres_url

    return location if is_postgres_url(location) else str(Path(location).resolve())
