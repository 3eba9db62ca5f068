"""`bwvdisclose audit`: verify, list, stats, report and replay over a whole case store."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bwvdisclose.audit.policies import PolicyCatalog
from bwvdisclose.audit.replay import new_summary, replay_store
from bwvdisclose.audit.rows import DAMAGED, STATES, CaseRow, Filters, describe, flat, list_rows
from bwvdisclose.audit.stats import compute_stats
from bwvdisclose.audit.verify import verify_store
from bwvdisclose.case import CaseStore
from bwvdisclose.cli import audit_views as views
from bwvdisclose.cli.options import (
    Choice,
    criteria_option,
    format_option,
    require_store,
    store_option,
    trust_option,
)
from bwvdisclose.cli.progress import progress_bar
from bwvdisclose.cli.trust import trust_roots
from bwvdisclose.errors import IntegrityError, TrustError
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, OUTCOMES

F = TypeVar("F", bound=Callable[..., Any])
DAY = click.DateTime(formats=["%Y-%m-%d"])


def workers_option(f: F) -> F:
    return click.option(
        "--workers", type=click.IntRange(1, 64), default=None,
        help="Worker processes (default: 2 for a store of 400 or more cases, else 1).",
    )(f)  # fmt: skip


def filter_options(f: F) -> F:
    options = [
        click.option("--from", "opened_from", type=DAY, help="Opened on or after this day (UTC)."),
        click.option("--to", "opened_to", type=DAY, help="Opened on or before this day (UTC)."),
        click.option("--recommended", type=Choice(OUTCOMES), help="Recommended outcome."),
        click.option("--decided", type=Choice(DECIDABLE_OUTCOMES), help="Decided outcome."),
        click.option("--exception", help="An exception met, e.g. criminal_appeal."),
        click.option("--decision-maker", help="Decision maker's name (or part of it)."),
        click.option(
            "--departure/--no-departure",
            default=None,
            help="Decisions that depart from (or follow) the recommendation.",
        ),
        click.option("--state", type=Choice([*STATES, DAMAGED]), help="Where cases stand."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _filters(kw: dict[str, Any]) -> Filters:
    for end in ("opened_from", "opened_to"):
        kw[end] = kw[end].date() if kw[end] else None
    return Filters(**kw)


def _store(store: Path) -> CaseStore:
    require_store(store)
    return CaseStore(store)


def _catalog(criteria: Path | None) -> PolicyCatalog:
    return PolicyCatalog(load_policy(criteria), [criteria] if criteria else [])


@click.group("audit")
def audit_group() -> None:
    """Audit a whole case store: verify it, list and count cases, replay under a new policy."""


@audit_group.command("verify")
@store_option
@trust_option
@click.option("--require-records", is_flag=True, help="Treat a missing record file as a failure.")
@workers_option
def verify_command(
    store: Path, trust: tuple[Path, ...], require_records: bool, workers: int | None
) -> None:
    """Verify every case: hash chain, sign-offs, policy approvals, trust and record files.

    Each failure is named (case and first bad event, or the record file). Exit 0 only
    when every case is intact and every signature trusted; exit 1 if any case is broken
    or altered; exit 3 if all are intact but some signature or policy approval is not
    trusted (--trust or BWVDISCLOSE_TRUST). A missing record file is a note unless
    --require-records.
    """
    roots = trust_roots(trust, announce=True)
    total = len(_store(store).list_ids())
    with progress_bar(total, "Verifying") as step:
        summary = verify_store(
            store,
            roots=roots,
            workers=workers,
            require_records=require_records,
            progress=lambda _: step(),
        )
    for note in summary.notes:
        click.echo(f"note: {note}")
    for check in summary.failed:
        for failure in check.failures:
            click.echo(f"FAILED {failure}")
        for text in check.untrusted:
            click.echo(f"NOT TRUSTED {text}")
    failed = len(summary.failed)
    click.echo(f"{summary.checked} cases checked: {summary.passed} passed, {failed} failed")
    if failed and not summary.intact:
        raise IntegrityError(f"{failed} of {summary.checked} cases failed verification")
    if failed:
        raise TrustError(
            f"{failed} of {summary.checked} cases are intact but not trusted; see NOT TRUSTED above"
        )


@audit_group.command("list")
@store_option
@criteria_option
@filter_options
@format_option("table", "csv", "json")
@workers_option
def list_command(
    store: Path, criteria: Path | None, fmt: str, workers: int | None, **kw: Any
) -> None:
    """List cases, one row each: opened, incident type, recommended, decided, by whom, state."""
    rows = list_rows(_store(store).root, _catalog(criteria), _filters(kw), workers)
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(CaseRow.model_fields))
        writer.writeheader()
        writer.writerows(flat(row) for row in rows)
    elif fmt == "json":
        click.echo("[")
        for n, row in enumerate(rows):
            click.echo(("  " if n == 0 else ", ") + row.model_dump_json())
        click.echo("]")
    else:
        table = views.rows_table(f"Cases in {store}")
        for row in rows:
            table.add_row(*views.table_cells(row))
        views.rows_console().print(table if table.row_count else f"No cases in {store} match")


@audit_group.command("stats")
@store_option
@criteria_option
@filter_options
@format_option("text", "json")
@workers_option
def stats_command(
    store: Path, criteria: Path | None, fmt: str, workers: int | None, **kw: Any
) -> None:
    """Counts by outcome, exception, block and referral; departures; time to decision; by month."""
    filters = _filters(kw)
    rows = list_rows(_store(store).root, _catalog(criteria), filters, workers)
    stats = compute_stats(rows, (filters.opened_from, filters.opened_to))
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2))
    else:
        click.echo("\n".join(views.stats_text(stats)))


@audit_group.command("report")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the PDF.",
)  # fmt: skip
@store_option
@criteria_option
@filter_options
@workers_option
def report_command(
    out: Path, store: Path, criteria: Path | None, workers: int | None, **kw: Any
) -> None:
    """Write the statistics as a PDF/A report for a review board, with charts."""
    from bwvdisclose.audit.report import render_report
    from bwvdisclose.case.files import replace_file

    filters = _filters(kw)
    rows = list_rows(_store(store).root, _catalog(criteria), filters, workers)
    stats = compute_stats(rows, (filters.opened_from, filters.opened_to))
    scope = f"Store {store.name}: {describe(filters)}"
    pdf = render_report(stats, scope=scope, generated=dt.datetime.now(dt.UTC))
    replace_file(out, pdf)  # 0600 whatever the umask: the report names people and cases
    click.echo(f"wrote {out} ({len(pdf)} bytes): {stats['cases']} cases")


@audit_group.command("replay")
@click.option(
    "--criteria", required=True, type=click.Path(path_type=Path, file_okay=False),
    help="The policy folder to replay every case under.",
)  # fmt: skip
@store_option
@format_option("text", "json")
@workers_option
def replay_command(criteria: Path, store: Path, fmt: str, workers: int | None) -> None:
    """Re-evaluate every case's current answers under another policy; list what would change.

    For each case whose recommendation would differ: the outcome and lists that change,
    the rules whose result differs and the clauses they cite. Never writes to the store.
    """
    new = load_policy(criteria)
    total = len(_store(store).list_ids())
    summary = new_summary(new, keep=fmt == "json")
    catalog = PolicyCatalog(load_policy(None))
    with progress_bar(total, "Replaying") as step:
        for result in replay_store(store, catalog, new, workers):
            summary.add(result)
            step()
            if fmt == "text" and result is not None and not isinstance(result, str):
                click.echo("\n".join([*views.change_text(result), ""]))
    if fmt == "json":
        click.echo(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(views.replay_footer(summary)))
