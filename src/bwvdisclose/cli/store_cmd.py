"""`bwvdisclose store`: set up a case store on PostgreSQL (and move stores between backends)."""

from __future__ import annotations

import click

from bwvdisclose.cli.options import store_option
from bwvdisclose.errors import StoreError
from bwvdisclose.store.postgres.connect import connect, display_url, is_postgres_url
from bwvdisclose.store.postgres.schema import AUDITOR_ROLE, WRITER_ROLE, init_store


@click.group("store")
def store_group() -> None:
    """Set up and move case stores (a folder, or a PostgreSQL database)."""


@store_group.command("init")
@click.argument("url")
@click.option(
    "--writer-role", default=WRITER_ROLE, show_default=True,
    help="Group role granted SELECT and INSERT (the force's users are made members).",
)  # fmt: skip
@click.option(
    "--auditor-role", default=AUDITOR_ROLE, show_default=True,
    help="Group role granted SELECT only (auditors, the DPO's office).",
)  # fmt: skip
def init_command(url: str, writer_role: str, auditor_role: str) -> None:
    """Create the case store schema in the PostgreSQL database at URL, or migrate it forward.

    Run it as the role that is to own the store. It creates the `bwvdisclose` schema
    (insert-only tables: triggers refuse UPDATE, DELETE and TRUNCATE), the group roles
    if they do not exist (NOLOGIN) and their grants. Running it again on a current
    store changes nothing; on an older schema it applies the newer migrations.
    Example: bwvdisclose store init postgresql://bwv_owner@db.example/bwvdisclose
    """
    if not is_postgres_url(url):
        raise StoreError(
            f"{url[:80]!r} is not a PostgreSQL URL (postgresql://...); a folder store "
            "needs no set-up"
        )
    with connect(url) as conn:
        result = init_store(conn, writer_role, auditor_role)
    where = display_url(url)
    if result.applied:
        was = f"from schema version {result.before} " if result.before else ""
        click.echo(
            f"store at {where}: migrated {was}to version {result.after} "
            f"({', '.join(result.applied)})"
        )
    else:
        click.echo(f"store at {where}: schema version {result.after} is current; nothing to do")
    for role in result.roles_created:
        click.echo(f"created group role {role} (NOLOGIN): grant it to people's login roles")


@store_group.command("copy")
@click.argument("src", metavar="SRC")
@click.argument("dst", metavar="DST")
def copy_command(src: str, dst: str) -> None:
    """Copy every case from the store SRC into the empty store DST, verifying both sides.

    Each store is a folder or a PostgreSQL URL (postgresql://...), so a store moves from
    a folder to a database and back. Every case is verified at SRC first (nothing is
    copied if any fails), then copied whole with its record files, verified at DST and
    compared byte for byte. Stop other writers while a store is copied. A database
    destination must be set up first with `bwvdisclose store init URL`.
    Example: bwvdisclose store copy casefiles postgresql://bwv@db.example/bwvdisclose
    """
    from bwvdisclose.cli.progress import progress_bar
    from bwvdisclose.store import open_store
    from bwvdisclose.store.copy import copy_store

    source = open_store(src, must_exist=True)
    target = open_store(dst)
    with progress_bar(len(source.list_ids()), "Copying") as step:
        result = copy_store(source, target, progress=lambda _: step())
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo(
        f"copied {result.cases} cases ({result.events} events, {result.records} record files) "
        f"from {source.location} to {target.location}: every case verified on both sides, "
        "events and records byte for byte identical"
    )


@store_group.command("adopt-log")
@store_option
def adopt_log_command(store: str) -> None:
    """Give a store that has cases but no store-wide log one, from its cases as they stand.

    Writes to such a store are refused until this is run: the log was removed, or a
    version before the log wrote the store. Check the cases first (`audit verify`, with
    your last checkpoint). Cases deleted before now cannot be known (their IDs may be
    issued again), and a checkpoint taken before names another log: take a new one.
    """
    from bwvdisclose.cli.options import require_store
    from bwvdisclose.store import open_store

    require_store(store)
    cases = open_store(store)
    added = cases.adopt()
    click.echo(
        f"{cases.location}: gave the store a store-wide log of {added} cases as they stand. "
        "Cases deleted before now cannot be known, and their IDs may be issued again; "
        "take a checkpoint now (`bwvdisclose audit checkpoint`)"
    )
