"""`bwvdisclose audit`: verify, list, stats, report and replay over a whole case store."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bwvdisclose.audit.policies import PolicyCatalog, PolicyVersions
from bwvdisclose.audit.replay import new_summary, replay_store
from bwvdisclose.audit.rows import (
    DAMAGED,
    STATES,
    CaseRow,
    Filters,
    describe,
    flat,
    is_due,
    list_rows,
)
from bwvdisclose.audit.stats import compute_stats
from bwvdisclose.audit.storelog import make_checkpoint, read_key_file
from bwvdisclose.audit.verify import verify_store
from bwvdisclose.cli import audit_views as views
from bwvdisclose.cli.options import (
    Choice,
    KeySpec,
    criteria_option,
    format_option,
    optional_signing_key_options,
    require_store,
    store_option,
    trust_option,
)
from bwvdisclose.cli.progress import progress_bar
from bwvdisclose.cli.terminal import echo
from bwvdisclose.cli.trust import trust_roots
from bwvdisclose.errors import InputError, IntegrityError, TrustError
from bwvdisclose.inputfile import read_input
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, OUTCOMES
from bwvdisclose.safetext import visible as safe
from bwvdisclose.safetext import visible_data
from bwvdisclose.store import CaseStore, open_store
from bwvdisclose.store.checkpoint import (
    MAX_NOTE,
    new_signer,
    parse_checkpoint,
    parse_signer,
    parse_verifier,
)
from bwvdisclose.store.files import write_new

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


def _store(store: str) -> CaseStore:
    require_store(store)
    return open_store(store)


def _catalog(criteria: Path | None) -> PolicyCatalog:
    return PolicyCatalog(load_policy(criteria), [criteria] if criteria else [])


@click.group("audit")
def audit_group() -> None:
    """Audit a whole case store: verify it, list and count cases, replay under a new policy."""


@audit_group.command("verify")
@store_option
@trust_option
@criteria_option
@click.option("--require-records", is_flag=True, help="Treat a missing record file as a failure.")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A checkpoint kept from `audit checkpoint`: the store must extend it.",
)
@click.option(
    "--verifier",
    "verifier_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The store's verifier key (from `audit keygen`): check the checkpoint's signature.",
)
@workers_option
def verify_command(
    store: str,
    trust: tuple[Path, ...],
    criteria: Path | None,
    require_records: bool,
    checkpoint_file: Path | None,
    verifier_file: Path | None,
    workers: int | None,
) -> None:
    """Verify every case: hash chain, sign-offs, policy approvals, trust, record files, the
    store-wide log, and that every event is one the tool would have accepted then.

    Each recommendation is evaluated again under the policy version it names (shipped,
    or --criteria); each decision, sign-off, record, release and withdrawal is checked
    against the rules the commands apply before they write. Each failure is named (case
    and event, or the record file). Exit 0 only when every case is intact and every
    signature trusted; exit 1 if any case is broken, altered or holds an event the tool
    would not have written; exit 3 if all are intact but some signature or policy
    approval is not trusted (--trust or BWVDISCLOSE_TRUST), or a policy version a case
    names is not at hand. A missing record file is a note unless
    --require-records. With
    --checkpoint the store-wide log must extend the checkpointed one (a consistency
    proof), so a case rewritten, truncated or deleted since then fails.
    """
    cases = _store(store)
    roots = trust_roots(trust, announce=True)
    if verifier_file and not checkpoint_file:
        raise click.UsageError("--verifier checks a --checkpoint's signature; give both")
    signed = verifier = None
    if checkpoint_file:
        signed = parse_checkpoint(_read_checkpoint(checkpoint_file))
    if verifier_file:
        verifier = read_key_file(verifier_file, cases.location, parse_verifier, "verifier key")
    with progress_bar(len(cases.list_ids()), "Verifying") as step:
        summary = verify_store(
            cases, roots=roots, workers=workers, require_records=require_records,
            progress=lambda _: step(), checkpoint=signed, verifier=verifier,
            policies=PolicyVersions([criteria] if criteria else []),
        )  # fmt: skip
    for note in summary.notes:
        echo(safe(f"note: {note}"))
    for problem in summary.store_failures:
        echo(safe(f"FAILED {problem}"))
    for check in summary.failed:
        for failure in check.failures:
            echo(safe(f"FAILED {failure}"))
        for text in check.untrusted:
            echo(safe(f"NOT TRUSTED {text}"))
    failed = len(summary.failed)
    echo(f"{summary.checked} cases checked: {summary.passed} passed, {failed} failed")
    if signed is not None and not summary.store_failures:
        point = signed.checkpoint
        signed_by = f", signed by {verifier.name}" if verifier else " (signature not checked)"
        echo(
            f"the store extends the checkpoint of {point.size} entries made "
            f"{point.time:%Y-%m-%d %H:%M:%S} UTC{signed_by}"
        )
    if summary.store_failures:
        raise IntegrityError("the store failed verification")
    if failed and not summary.intact:
        raise IntegrityError(f"{failed} of {summary.checked} cases failed verification")
    if failed:
        raise TrustError(
            f"{failed} of {summary.checked} cases are intact but not trusted; see NOT TRUSTED above"
        )


def _read_checkpoint(path: Path) -> str:
    try:
        return read_input(path, "checkpoint", MAX_NOTE).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a checkpoint (not UTF-8 text)") from None


@audit_group.command("checkpoint")
@store_option
@click.option(
    "--key", "key_file", required=True, envvar="BWVDISCLOSE_STORE_KEY",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The store key (from `audit keygen`), kept outside the store (or BWVDISCLOSE_STORE_KEY).",
)  # fmt: skip
def checkpoint_command(store: str, key_file: Path) -> None:
    """Print a signed checkpoint of the store-wide log: tree size, root hash, time.

    An auditor keeps it elsewhere, and later checks with `audit verify --checkpoint`
    that the store still extends it. A store written before the store-wide log gets
    one first, from its cases as they are.
    """
    cases = _store(store)
    signer = read_key_file(key_file, cases.location, parse_signer, "store key")
    echo(make_checkpoint(cases, signer, dt.datetime.now(dt.UTC)), nl=False)


@audit_group.command("keygen")
@click.option("--name", required=True, help="The key's name, e.g. met-bwv-store.")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the store key (not inside any store); FILE.pub gets the verifier key.",
)  # fmt: skip
def keygen_command(name: str, out: Path) -> None:
    """Make a store key (Ed25519) for signing checkpoints; print its verifier key.

    Keep the store key away from the store and from those who can write it; give the
    verifier key to auditors.
    """
    signer = new_signer(name)
    public = Path(f"{out}.pub")
    for path, text in ((out, signer.text()), (public, signer.verifier.text())):
        try:
            write_new(path, (text + "\n").encode())
        except FileExistsError:
            raise InputError(f"{path} already exists; choose another --out") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be written: {exc.strerror}") from None
    echo(signer.verifier.text())


@audit_group.command("list")
@store_option
@criteria_option
@filter_options
@format_option("table", "csv", "json")
@workers_option
def list_command(
    store: str, criteria: Path | None, fmt: str, workers: int | None, **kw: Any
) -> None:
    """List cases, one row each: opened, incident type, recommended, decided, by whom, state."""
    cases = _store(store)
    rows = list_rows(cases, _catalog(criteria), _filters(kw), workers)
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(CaseRow.model_fields))
        writer.writeheader()
        writer.writerows({k: safe(v) for k, v in flat(row).items()} for row in rows)
    elif fmt == "json":
        echo("[")
        for n, row in enumerate(rows):
            echo(
                ("  " if n == 0 else ", ")
                + json.dumps(
                    visible_data(row.model_dump(mode="json")),
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
            )
        echo("]")
    else:
        table = views.rows_table(f"Cases in {cases.location}")
        for row in rows:
            table.add_row(*views.table_cells(row))
        views.rows_console().print(
            table if table.row_count else f"No cases in {cases.location} match"
        )


@audit_group.command("stats")
@store_option
@criteria_option
@filter_options
@format_option("text", "json")
@workers_option
def stats_command(
    store: str, criteria: Path | None, fmt: str, workers: int | None, **kw: Any
) -> None:
    """Counts by outcome, exception, block and referral; departures; time to decision; by month."""
    filters = _filters(kw)
    rows = list_rows(_store(store), _catalog(criteria), filters, workers)
    stats = compute_stats(rows, (filters.opened_from, filters.opened_to))
    if fmt == "json":
        echo(json.dumps(stats, indent=2))
    else:
        echo("\n".join(views.stats_text(stats)))


@audit_group.command("report")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the PDF (a new file: an existing one is never replaced).",
)  # fmt: skip
@optional_signing_key_options
@trust_option
@store_option
@criteria_option
@filter_options
@workers_option
def report_command(
    out: Path,
    key: KeySpec | None,
    trust: tuple[Path, ...],
    store: str,
    criteria: Path | None,
    workers: int | None,
    **kw: Any,
) -> None:
    """Write the statistics as a PDF/A report for a review board, with charts.

    With --key (or a token) the report is sealed as a record is: the key's certificate
    must chain to a trust root (--trust, BWVDISCLOSE_TRUST), or no report is written
    (exit 3). `bwvdisclose verify FILE.pdf` checks a sealed report.
    """
    from bwvdisclose.audit.report import render_report
    from bwvdisclose.audit.sealing import require_trusted, seal_report, sealer_name
    from bwvdisclose.cli.trust import opened_identity
    from bwvdisclose.trust.paths import TrustChecker

    _new_file(out)  # before any work: the report would not be written
    filters = _filters(kw)
    cases = _store(store)
    rows = list_rows(cases, _catalog(criteria), filters, workers)
    stats = compute_stats(rows, (filters.opened_from, filters.opened_to))
    scope = f"Store {cases.location.rstrip('/').rsplit('/', 1)[-1]}: {describe(filters)}"
    now = dt.datetime.now(dt.UTC)
    if key is None:
        pdf = render_report(stats, scope=scope, generated=now)
        _write_new(out, pdf)
        echo(f"wrote {out} ({len(pdf)} bytes): {stats['cases']} cases; NOT sealed (give --key)")
        return
    checker = TrustChecker(trust_roots(trust))
    with opened_identity(key) as identity:
        require_trusted(identity, checker, now)  # before the render: no work for nothing
        name = sealer_name(identity)
        pdf = render_report(stats, scope=scope, generated=now, sealed_by=name)
        sealed = seal_report(pdf, identity, checker, now)
    _write_new(out, sealed)
    echo(f"wrote {out} ({len(sealed)} bytes): {stats['cases']} cases, sealed by {name}")


def _new_file(out: Path) -> None:
    if os.path.lexists(out):
        raise InputError(f"{out} already exists; choose another --out (it is never replaced)")


def _write_new(out: Path, data: bytes) -> None:
    """Create `out` (0600 whatever the umask: the report names people and cases); a file or
    link there, even one made since the check, is never written through (O_EXCL)."""
    try:
        write_new(out, data)
    except FileExistsError:
        _new_file(out)
        raise


DUE_COLUMNS = ("case_id", "decided", "review_by", "overdue_days", "released_at", "released_to")


@audit_group.command("due")
@click.option("--on", "on", type=DAY, help="List what is due on this day (default: today, UTC).")
@store_option
@criteria_option
@format_option("table", "csv", "json")
@workers_option
def due_command(
    on: dt.datetime | None, store: str, criteria: Path | None, fmt: str, workers: int | None
) -> None:
    """List released footage on or past its review date and not withdrawn.

    Releases under a decision that set no review date (decided before version 2020.2)
    are listed too, with no date: they have never been reviewed.
    """
    day = on.date() if on else dt.datetime.now(dt.UTC).date()
    rows = [
        r for r in list_rows(_store(store), _catalog(criteria), None, workers) if is_due(r, day)
    ]
    cells = []
    for row in rows:
        flat_row = flat(row)
        days = (day - row.review_by).days if row.review_by else None
        cells.append({
            **{k: flat_row[k] for k in DUE_COLUMNS if k in flat_row},
            "review_by": flat_row["review_by"] or "(none set)",
            "overdue_days": "" if days is None else str(days),
        })  # fmt: skip
    if fmt == "json":
        echo(json.dumps(visible_data(cells), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=DUE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(visible_data(cells))
    elif not cells:
        echo(f"Nothing released is due for review on {day}")
    else:
        echo(f"Released footage due for review on {day} (not withdrawn): {len(cells)}")
        for c in cells:
            past = c["overdue_days"]
            overdue = {"": "", "0": ", due today"}.get(past, f", {past} day(s) past it")
            echo(
                f"  {c['case_id']}  {c['decided']}  review by {c['review_by']}{overdue}; "
                f"released {c['released_at'][:16]} to {c['released_to']}"
            )


@audit_group.command("replay")
@click.option(
    "--criteria", required=True, type=click.Path(path_type=Path, file_okay=False),
    help="The policy folder to replay every case under.",
)  # fmt: skip
@store_option
@format_option("text", "json")
@workers_option
def replay_command(criteria: Path, store: str, fmt: str, workers: int | None) -> None:
    """Re-evaluate every case's current answers under another policy; list what would change.

    For each case whose recommendation would differ: the outcome and lists that change,
    the rules whose result differs and the clauses they cite. Never writes to the store.
    """
    new = load_policy(criteria)
    cases = _store(store)
    summary = new_summary(new, keep=fmt == "json")
    catalog = PolicyCatalog(load_policy(None))
    shown: set[str] = set()  # clauses quoted once in the text, then named
    with progress_bar(len(cases.list_ids()), "Replaying") as step:
        for result in replay_store(cases, catalog, new, workers):
            summary.add(result)
            step()
            if fmt == "text" and result is not None and not isinstance(result, str):
                echo("\n".join([*views.change_text(result, shown), ""]))
    if fmt == "json":
        echo(json.dumps(visible_data(summary.to_json()), indent=2, ensure_ascii=False))
    else:
        echo("\n".join(views.replay_footer(summary)))
