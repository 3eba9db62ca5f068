"""Decision and record commands: `decide`, `sign`, `record`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from bwvdisclose.cases import COURSES, Cases, current_values
from bwvdisclose.cli.common import open_case
from bwvdisclose.cli.options import (
    Acting,
    Choice,
    KeySpec,
    actor_options,
    criteria_option,
    signing_key_options,
    store_option,
    trust_option,
    tsa_option,
)
from bwvdisclose.cli.terminal import echo
from bwvdisclose.cli.trust import opened_identity, trust_roots
from bwvdisclose.engine import evaluate
from bwvdisclose.errors import RecordError
from bwvdisclose.explain import OUTCOME_TEXT
from bwvdisclose.policy.load import resolve_policy_folder
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, AnswerValue
from bwvdisclose.recommendation import Recommendation
from bwvdisclose.trust.approval import approver, find_approval
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.signoff import ROLE_TEXT, missing_roles


@click.command("decide")
@click.argument("case_id")
@click.option("--outcome", required=True, type=Choice(DECIDABLE_OUTCOMES), help="The decision.")
@click.option(
    "--rationale", default="", help="Why; required when it departs from the recommendation."
)
@click.option(
    "--course",
    type=click.Choice(list(COURSES)),
    default=None,
    help="The course chosen within the outcome: context_statement (a statement without "
    "footage, with do_not_publish).",
)
@click.option(
    "--review-by",
    metavar="DAY",
    help="A decision to publish: the day to review the released footage (YYYY-MM-DD).",
)
@click.option(
    "--note",
    "notes",
    multiple=True,
    metavar="ID=TEXT",
    help="What was done about condition ID (repeatable; one for each condition).",
)
@store_option
@criteria_option
@trust_option
@actor_options
def decide_command(
    case_id: str,
    outcome: str,
    rationale: str,
    course: str | None,
    review_by: str | None,
    notes: tuple[str, ...],
    store: str,
    criteria: Path | None,
    trust: tuple[Path, ...],
    acting: Acting,
) -> None:
    """Record the decision maker's decision on CASE_ID.

    The tool recommends; a person decides. A decision that departs from the
    recommendation needs a written justification (--rationale); no decision can
    be recorded while the recommendation is incomplete or awaiting advice. A
    decision to publish needs --review-by; each condition of the decision needs a
    --note saying what was done about it (asked for at a terminal). Only a policy
    version approved by a trusted policy owner decides (exit 3 otherwise). If the
    recommendation changes while the command runs (someone assesses the case
    meanwhile), nothing is written and it exits 1: review the case and decide again.
    """
    cases = open_case(store, criteria, case_id)
    values = current_values(cases.state(case_id))
    seen = evaluate(cases.policy, values)  # what this decision is made on; checked at writing
    checker = TrustChecker(trust_roots(trust))
    folder = cases.folder or resolve_policy_folder(criteria)
    approval = find_approval(folder, cases.policy, checker, dt.datetime.now(dt.UTC))
    who = acting.actor()
    given = parse_notes(notes)
    given.update(ask_notes(cases, seen, values, outcome, given))
    body = cases.decide(
        case_id, who, outcome, rationale, review_by, given, approval=approval, course=course,
        seen=seen.summary(),
    )  # fmt: skip
    departure = " (departs from the recommendation, justified)" if body.departure else ""
    chosen = f", {COURSES[course][1].lower()}" if course else ""
    echo(f"{case_id}: decided {OUTCOME_TEXT[outcome].lower()}{chosen}{departure}")
    echo(
        f"Policy {cases.policy.id} version {cases.policy.version} approved by {approver(approval)}"
    )
    if body.review_by:
        echo(f"Review the released footage by {body.review_by}")
    for cid, text in (body.condition_notes or {}).items():
        echo(f"Condition {cid}: {text}")
    needed = missing_roles(cases.state(case_id), cases.policy)
    echo(f"Sign-off needed from: {', '.join(ROLE_TEXT[r] for r in needed)}")


def parse_notes(pairs: tuple[str, ...]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for pair in pairs:
        cid, sep, text = pair.partition("=")
        if not sep or not cid.strip():
            raise click.BadParameter(f"{pair[:40]!r}: expected ID=TEXT", param_hint="--note")
        if cid.strip() in notes:
            raise click.BadParameter(f"{cid.strip()} given twice", param_hint="--note")
        notes[cid.strip()] = text
    return notes


def ask_notes(
    cases: Cases,
    rec: Recommendation,
    values: dict[str, AnswerValue],
    outcome: str,
    given: dict[str, str],
) -> dict[str, str]:
    """At a terminal, ask what was done about each condition that has no --note yet."""
    if not sys.stdin.isatty():
        return {}
    if rec.outcome in ("incomplete", "refer"):
        return {}  # refused with the reason by `decide`
    titles = {c.id: c.title for c in cases.policy.conditions}
    asked = {}
    for cid in cases.decision_conditions(rec, values, outcome):
        if cid not in given:
            echo(f"Condition {cid}: {titles.get(cid, cid)}")
            asked[cid] = str(click.prompt("  What was done about it")).strip()
    return asked


@click.command("sign")
@click.argument("case_id")
@click.option("--role", required=True, type=Choice(list(ROLE_TEXT)), help="The role you sign in.")
@signing_key_options
@store_option
@criteria_option
@trust_option
@tsa_option
def sign_command(
    case_id: str,
    role: str,
    key: KeySpec,
    store: str,
    criteria: Path | None,
    trust: tuple[Path, ...],
    tsa: str | None,
) -> None:
    """Sign off the decision on CASE_ID in ROLE: a signed statement of the case, its head,
    the role, your certificate, the outcome and the policy.

    Your name, role, rank and number come from your certificate, which must chain to a
    trust root (exit 3 if not). A sign-off goes stale when the case changes afterwards
    and must be repeated. With --tsa the signature is timestamped and your certificate's
    status is fetched and kept (revoked or unknown is refused, nothing is written).
    """
    from bwvdisclose.trust.tsa import LtvSettings

    cases = open_case(store, criteria, case_id)
    roots = trust_roots(trust)
    checker = TrustChecker(roots)
    ltv = LtvSettings.of(tsa, roots.certificates) if tsa else None
    with opened_identity(key) as identity:
        body = cases.sign(case_id, identity, role, checker, ltv=ltv)
    stamped = " (timestamped)" if body.evidence is not None else ""
    echo(
        f"{case_id}: signed as {ROLE_TEXT[role].lower()} by {body.signer.name} "
        f"over head {body.head}{stamped}"
    )
    needed = missing_roles(cases.state(case_id), cases.policy)
    echo(
        "All required sign-offs are present."
        if not needed
        else f"Still needed: {', '.join(ROLE_TEXT.get(r, r) for r in needed)}"
    )


@click.command("record")
@click.argument("case_id")
@signing_key_options
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Also write the PDF here."
)
@tsa_option
@trust_option
@store_option
@criteria_option
def record_command(
    case_id: str,
    key: KeySpec,
    out: Path | None,
    tsa: str | None,
    trust: tuple[Path, ...],
    store: str,
    criteria: Path | None,
) -> None:
    """Render the signed PDF/A-3a decision record for CASE_ID (decision maker's key).

    Every sign-off and the policy approval must be intact and trusted (exit 3 if one is
    not). The record is filed in the case folder (records/) and, with --out, written there.
    With --tsa the seal is timestamped and carries the revocation data of every
    certificate up to the trust roots (PAdES B-LTA); a revoked signer, or one whose
    status cannot be fetched, is refused and nothing is written.
    """
    from bwvdisclose.record.build import render_record
    from bwvdisclose.trust.tsa import LtvSettings

    if out is not None and out.exists():
        raise RecordError(f"{out} already exists; choose another --out")
    if out is not None and not out.parent.is_dir():
        raise RecordError(f"{out.parent} is not a folder")
    roots = trust_roots(trust)
    ltv = LtvSettings.of(tsa, list(roots.certificates)) if tsa else None
    cases = open_case(store, criteria, case_id)
    checker = TrustChecker(roots)
    with opened_identity(key) as identity:
        done = render_record(
            cases.store, case_id, cases.policy, cases.folder or resolve_policy_folder(criteria),
            identity, out, checker, ltv,
        )  # fmt: skip
    level = "PAdES B-LTA, timestamped" if ltv else "PAdES B-B, not timestamped"
    echo(f"{case_id}: signed record ({level}) written to {done.path}")
    echo(f"  sha256 {done.sha256}, {done.size} bytes, covers log head {done.head}")
