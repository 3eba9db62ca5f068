"""`bwvdisclose criteria`: inspect, lint and approve policy folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from bwvdisclose.cli.options import KeySpec, signing_key_options, trust_option
from bwvdisclose.cli.trust import opened_identity, trust_roots
from bwvdisclose.errors import PolicyError, TrustError
from bwvdisclose.policy.lint import lint
from bwvdisclose.policy.load import default_policy_dir, load_policy
from bwvdisclose.policy.wording import wording_digest, wording_file


@click.group("criteria")
def criteria_group() -> None:
    """Work with policy folders (criteria as data)."""


@criteria_group.command("check")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@trust_option
def check_command(folder: Path | None, trust: tuple[Path, ...]) -> None:
    """Lint a policy folder: citations, reachable questions, advice, and its examples.

    Also says whether the version is approved by a trusted policy owner (it can decide
    cases only then); an unapproved version is reported, not a lint failure.
    """
    from bwvdisclose.trust.approval import approver, find_approval
    from bwvdisclose.trust.paths import TrustChecker

    folder = folder or default_policy_dir()
    policy, problems, examples = lint(folder)
    if problems:
        raise PolicyError("\n".join([f"{folder}: {len(problems)} problem(s)", *problems]))
    click.echo(
        f"{policy.id} {policy.version}: ok ({len(policy.questions)} questions, "
        f"{examples} examples pass; sha256 {policy.sha256})"
    )
    wording = wording_digest(folder.resolve())
    if wording is not None:
        click.echo(
            f"wording: {wording_file(folder).name} (sha256 {wording}) adds help and labels; "
            "it changes no rule and is not part of the policy hash"
        )
    checker = TrustChecker(trust_roots(trust))
    try:
        approval = find_approval(folder, policy, checker, dt.datetime.now(dt.UTC))
    except TrustError as exc:
        click.echo(f"not approved: {exc}")
        return
    click.echo(f"approved by {approver(approval)} at {approval.approved_at}")


@criteria_group.command("approve")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@signing_key_options
@trust_option
def approve_command(folder: Path, key: KeySpec, trust: tuple[Path, ...]) -> None:
    """Approve the policy version in FOLDER as its policy owner.

    Signs the folder's SHA-256 with your key (a certificate in the policy_owner role that
    chains to a trust root) and adds the approval to FOLDER.approval.json beside the
    folder, outside what is hashed. Any change to the folder needs a new approval.
    """
    from bwvdisclose.trust.approval import approve
    from bwvdisclose.trust.paths import TrustChecker

    policy = load_policy(folder)
    checker = TrustChecker(trust_roots(trust))
    with opened_identity(key) as identity:
        approval, path = approve(folder, policy, identity, checker, dt.datetime.now(dt.UTC))
    click.echo(
        f"{policy.id} version {policy.version} (sha256 {policy.sha256}) approved; written to {path}"
    )
    click.echo(f"approver certificate SHA-256 {approval.fingerprint}")
