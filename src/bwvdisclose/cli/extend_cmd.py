"""`extend FILE.pdf`: a fresh archive timestamp on a sealed record."""

from __future__ import annotations

from pathlib import Path

import click

from bwvdisclose.cli.options import trust_option, tsa_option
from bwvdisclose.errors import InputError, IntegrityError, RecordError


@click.command("extend")
@click.argument("record", type=click.Path(path_type=Path, dir_okay=False))
@tsa_option
@trust_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the extended record here instead of replacing RECORD.",
)
def extend_command(
    record: Path, tsa: str | None, trust: tuple[Path, ...], out: Path | None
) -> None:
    """Add a fresh archive timestamp to a timestamped RECORD (PAdES B-LTA).

    Fetches current revocation data for the last timestamp's authority, then adds a
    document timestamp over the whole record. Do it before the last timestamp's
    certificate expires or its algorithms weaken. The record must verify first
    (offline, against --trust); it is replaced atomically, or written to --out.
    """
    from bwvdisclose.cli.trust import trust_roots
    from bwvdisclose.record.verify import verify_pdf
    from bwvdisclose.store.files import replace_file
    from bwvdisclose.store.folder import filed_in_case
    from bwvdisclose.trust.archive import extend
    from bwvdisclose.trust.tsa import LtvSettings

    if not tsa:
        raise InputError("extend needs a time-stamping authority: --tsa URL or BWVDISCLOSE_TSA")
    settings = LtvSettings.of(tsa, list(trust_roots(trust).certificates))
    case = filed_in_case(record) if out is None else None
    if case is not None:
        raise RecordError(
            f"{record} is the copy filed in case {case.name}, whose log holds its SHA-256: "
            "extended in place, `audit verify` would fail the case. Write the extended "
            "copy elsewhere with --out NEW.pdf and archive that one"
        )
    if out is not None and out.exists():
        raise RecordError(f"{out} already exists; choose another --out")
    if not record.is_file():
        raise IntegrityError(f"{record}: no such file")
    data = record.read_bytes()
    check = verify_pdf(data, settings.trust_roots)
    if not check.ok:
        why = (check.problems or (check.trust_problem,))[0]
        raise IntegrityError(f"{record}: the record does not verify, so it is not extended: {why}")
    extended = extend(data, settings)
    after = verify_pdf(extended, settings.trust_roots)
    if not after.ok:
        why = (after.problems or (after.trust_problem,))[0]
        raise IntegrityError(
            f"{record}: the extended record does not verify ({why}); nothing was written"
        )
    target = out or record
    replace_file(target, extended)
    latest = after.archive_times[-1] if after.archive_times else None
    when = f"{latest:%Y-%m-%d %H:%M:%S} UTC" if latest else "?"
    click.echo(f"{target}: archive timestamp {len(after.archive_times)} added at {when}")
