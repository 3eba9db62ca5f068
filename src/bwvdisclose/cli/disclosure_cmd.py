"""The disclosure lifecycle: `disclosed` (log a release) and `withdrawn` (log a takedown)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bwvdisclose.cli.common import open_case
from bwvdisclose.cli.options import Acting, actor_options, criteria_option, store_option
from bwvdisclose.disclosure import MAX_RECIPIENT
from bwvdisclose.localtime import parse_uk_time


@click.command("disclosed")
@click.argument("case_id")
@click.option(
    "--to",
    "to",
    required=True,
    help=f"Who received the footage, or where it was published (at most {MAX_RECIPIENT} chars).",
)
@click.option("--url", default="", help="The address it was published at, if any.")
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help="When it was released, e.g. 20/11/2026 14:30 or 2026-11-20T14:30 (UK local time "
    "unless an offset is given; default: now).",
)
@store_option
@criteria_option
@actor_options
def disclosed_command(
    case_id: str,
    to: str,
    url: str,
    at: str | None,
    store: str,
    criteria: Path | None,
    acting: Acting,
) -> None:
    """Log a release of CASE_ID's footage: who released it, when, to whom, under which decision.

    Refused unless the case is decided to publish, signed off by everyone the policy
    requires and covered by a decision record (DPA 2018 s.62 log of disclosure).
    """
    cases = open_case(store, criteria, case_id)
    try:
        when = parse_uk_time(at).astimezone(dt.UTC) if at else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    body = cases.release(case_id, acting.actor(), to, url, when)
    where = f" ({body.url})" if body.url else ""
    click.echo(
        f"{case_id}: release to {body.to}{where} at {body.released_at:%Y-%m-%d %H:%M} UTC logged, "
        f"under the decision to {body.outcome.replace('_', ' ')} (event {body.decision_seq})"
    )
    review = cases.state(case_id).decision
    if review is not None and review.review_by:
        click.echo(f"Review by {review.review_by}; withdraw with `bwvdisclose withdrawn`")


@click.command("withdrawn")
@click.argument("case_id")
@click.option("--reason", required=True, help="Why the footage was taken down.")
@store_option
@criteria_option
@actor_options
def withdrawn_command(
    case_id: str,
    reason: str,
    store: str,
    criteria: Path | None,
    acting: Acting,
) -> None:
    """Log that CASE_ID's released footage was taken down, and why.

    Every release not yet withdrawn is withdrawn; releasing again needs a new decision.
    """
    cases = open_case(store, criteria, case_id)
    body = cases.withdraw(case_id, acting.actor(), reason)
    click.echo(f"{case_id}: withdrawal of {len(body.releases)} release(s) logged")
