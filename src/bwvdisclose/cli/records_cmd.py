"""`bwvdisclose records CASE_ID`: the decision records filed in a case, and copies of them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bwvdisclose.cli.options import format_option, require_store, store_option
from bwvdisclose.cli.terminal import echo
from bwvdisclose.errors import IntegrityError, RecordError
from bwvdisclose.localtime import uk_time


@click.command("records")
@click.argument("case_id")
@store_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Copy every record that is as its log names it into this folder (0600 files).",
)
@format_option("text", "json")
def records_command(case_id: str, store: str, out: Path | None, fmt: str) -> None:
    """List the decision records filed in CASE_ID, each checked against the case log.

    Works on any store, a folder or PostgreSQL. The case's log must verify; each record
    is compared with the size and SHA-256 the log holds for it: `ok`, `differs` (changed
    or replaced) or `missing`. With --out DIR the records that are ok are copied there
    (never over another file); exit 1 if any record differs or is missing.
    """
    from bwvdisclose.record.filed import export, filed_records
    from bwvdisclose.store import open_store

    require_store(store)
    found = filed_records(open_store(store), case_id)
    written: dict[str, str] = {}
    if out is not None:
        for f in found:
            if f.state == "ok":
                try:
                    written[f.event.file] = str(export(f, out))
                except OSError as exc:
                    raise RecordError(f"{out}: cannot write there: {exc.strerror}") from None
    if fmt == "json":
        rows = [
            {
                "file": f.event.file,
                "seq": f.event.seq,
                "at": f.event.at.isoformat(),
                "by": f.event.actor.model_dump(),
                "size": f.event.size,
                "sha256": f.event.sha256,
                "covers_head": f.event.head,
                "state": f.state,
                "copied_to": written.get(f.event.file),
            }
            for f in found
        ]
        echo(json.dumps({"case": case_id, "records": rows}, indent=2, ensure_ascii=False))
    else:
        if not found:
            echo(f"{case_id}: no decision record filed yet (`bwvdisclose record {case_id}`)")
        for f in found:
            e = f.event
            echo(
                f"{'ok  ' if f.state == 'ok' else 'FAIL'} {e.file}: event {e.seq}, "
                f"{uk_time(e.at)} by {e.actor.name} ({e.actor.role}), {e.size:,} bytes, "
                f"SHA-256 {e.sha256}" + ("" if f.state == "ok" else f": {f.state.upper()}")
            )
            if e.file in written:
                echo(f"     copied to {written[e.file]}")
    bad = [f.event.file for f in found if f.state != "ok"]
    if bad:
        raise IntegrityError(
            f"{case_id}: record {bad[0]} is not the file its log names ({len(bad)} of "
            f"{len(found)}); `bwvdisclose audit verify` says more"
        )
