"""Footage fingerprints: `footage add`, and what `new --clip-file` and `verify --clip` use."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from bwvdisclose.case import FootageFingerprinted
from bwvdisclose.cli.common import open_case
from bwvdisclose.cli.options import Acting, actor_options, criteria_option, store_option
from bwvdisclose.cli.progress import bytes_bar
from bwvdisclose.errors import IntegrityError
from bwvdisclose.footage import fingerprint, match, size_of


def fingerprint_files(paths: Sequence[Path]) -> list[FootageFingerprinted]:
    """SHA-256 of each file, streamed, with a progress bar at a terminal for big files."""
    out = []
    for path in paths:
        with bytes_bar(size_of(path), f"SHA-256 {path.name[:40]}") as done:
            out.append(fingerprint(path, done))
    return out


def describe(f: FootageFingerprinted) -> str:
    return f"{f.name}, {f.size:,} bytes, SHA-256 {f.sha256}"


def check_clips_against(
    case_id: str, known: Sequence[FootageFingerprinted], paths: Sequence[Path]
) -> None:
    """Say for each file whether it is footage the case assessed; exit 1 if any is not."""
    strangers = []
    for path, found in zip(paths, fingerprint_files(paths), strict=True):
        same = match(known, found.sha256)
        if same is not None:
            click.echo(f"{path}: ok, the footage assessed in {case_id} ({describe(same)})")
        else:
            click.echo(f"{path}: NOT footage assessed in {case_id} (SHA-256 {found.sha256})")
            strangers.append(str(path))
    if strangers:
        held = "; ".join(describe(f) for f in known) or "no fingerprints"
        raise IntegrityError(
            f"{', '.join(strangers)}: not the footage {case_id} assessed (it holds: {held})"
        )


@click.group("footage")
def footage_group() -> None:
    """Footage fingerprints: which files (by SHA-256) a case assessed."""


@footage_group.command("add")
@click.argument("case_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@store_option
@criteria_option
@actor_options
def footage_add(
    case_id: str,
    files: tuple[Path, ...],
    store: str,
    criteria: Path | None,
    acting: Acting,
) -> None:
    """Fingerprint FILES (name, size, SHA-256) and record them in CASE_ID.

    Every file is read in full before anything is recorded. A file already recorded
    is skipped. Adding footage after a decision makes the sign-offs stale.
    """
    cases = open_case(store, criteria, case_id)
    who = acting.actor()
    cases.state(case_id)  # the case exists and folds before any file is read
    added = cases.add_footage(case_id, who, fingerprint_files(files))
    for f in added:
        click.echo(f"{case_id}: recorded {describe(f)}")
    if len(added) < len(files):
        click.echo(f"{case_id}: {len(files) - len(added)} file(s) already recorded, skipped")
