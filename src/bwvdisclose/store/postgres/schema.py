"""The PostgreSQL store's schema: migrations forward by version, and the roles it grants.

Migrations are SQL files shipped in the package, `sql/NNN_name.sql`, applied in order,
each in the same transaction as its row in `bwvdisclose.schema_version`, all under one
advisory lock so two `store init` runs cannot interleave. A database at a version newer
than this program knows is refused, never touched.

Roles (group roles, NOLOGIN; a force grants them to its people's login roles):
  writer   (default bwvdisclose_writer)   SELECT and INSERT: what every command needs
  auditor  (default bwvdisclose_auditor)  SELECT only: `audit` commands and `verify`
The role running `store init` owns the schema. Neither group role may UPDATE, DELETE or
TRUNCATE, and triggers refuse those to everyone, the owner included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from bwvdisclose.errors import StoreError

if TYPE_CHECKING:
    import psycopg

SCHEMA = "bwvdisclose"
WRITER_ROLE = "bwvdisclose_writer"
AUDITOR_ROLE = "bwvdisclose_auditor"
INIT_LOCK = (0x42575644, 0)  # ("BWVD", 0): held while migrating
_ROLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}", re.ASCII)
_FILE_RE = re.compile(r"(\d{3})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every shipped migration, in version order (versions 1, 2, ... with no gap)."""
    folder = resources.files("bwvdisclose.store.postgres").joinpath("sql")
    found = []
    for entry in folder.iterdir():
        m = _FILE_RE.fullmatch(entry.name)
        if m:
            found.append(Migration(int(m[1]), m[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    assert [m.version for m in found] == list(range(1, len(found) + 1)), "migration gap"
    return found


def latest_version() -> int:
    return len(migrations())


def current_version(conn: psycopg.Connection[Any]) -> int:
    """The schema version of the store in this database (0 when it has none)."""
    row = conn.execute("SELECT to_regclass('bwvdisclose.schema_version')").fetchone()
    if row is None or row[0] is None:
        return 0
    got = conn.execute("SELECT coalesce(max(version), 0) FROM bwvdisclose.schema_version")
    version = got.fetchone()
    return int(version[0]) if version else 0


def check_role_name(name: str) -> str:
    if not _ROLE_RE.fullmatch(name):
        raise StoreError(
            f"{name[:70]!r} is not a role name bwvdisclose will create "
            "(lower-case letters, digits and _, starting with a letter or _)"
        )
    return name


@dataclass(frozen=True)
class InitResult:
    before: int
    after: int
    applied: tuple[str, ...]
    roles_created: tuple[str, ...]


def init_store(
    conn: psycopg.Connection[Any], writer: str = WRITER_ROLE, auditor: str = AUDITOR_ROLE
) -> InitResult:
    """Create or migrate the schema forward, create the group roles, grant; one transaction."""
    import psycopg

    writer, auditor = check_role_name(writer), check_role_name(auditor)
    if writer == auditor:
        raise StoreError("the writer and auditor roles must be two different roles")
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", INIT_LOCK)
            before = current_version(conn)
            known = migrations()
            if before > len(known):
                raise StoreError(
                    f"the store's schema is version {before}, newer than this bwvdisclose "
                    f"knows ({len(known)}); upgrade bwvdisclose"
                )
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            applied = []
            for mig in known[before:]:
                conn.execute(mig.sql.encode("utf-8"))
                conn.execute(
                    "INSERT INTO bwvdisclose.schema_version (version, name) VALUES (%s, %s)",
                    (mig.version, mig.name),
                )
                applied.append(f"{mig.version:03d}_{mig.name}")
            created = _create_roles(conn, writer, auditor)
            _grant(conn, writer, auditor)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise StoreError(
            f"not allowed to set up the store: {exc.diag.message_primary}; run "
            "`store init` as the role that is to own the store (it needs CREATE on the "
            "database, and CREATEROLE unless the group roles exist already)"
        ) from None
    return InitResult(before, len(known), tuple(applied), created)


def _create_roles(conn: psycopg.Connection[Any], *names: str) -> tuple[str, ...]:
    from psycopg import sql

    created = []
    for name in names:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
            created.append(name)
    return tuple(created)


def _grant(conn: psycopg.Connection[Any], writer: str, auditor: str) -> None:
    """Writer: SELECT, INSERT. Auditor: SELECT. PUBLIC: nothing. Idempotent."""
    from psycopg import sql

    w, a, s = sql.Identifier(writer), sql.Identifier(auditor), sql.Identifier(SCHEMA)
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(s))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}, {}").format(s, w, a))
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (SCHEMA,)
    ).fetchall()
    for (table,) in rows:
        t = sql.Identifier(SCHEMA, table)
        conn.execute(sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}, {}").format(t, w, a))
        conn.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(t, w))
        conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(t, a))
    conn.execute(sql.SQL("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {} FROM PUBLIC").format(s))


def check_schema(conn: psycopg.Connection[Any], url_shown: str) -> None:
    """StoreError unless the database holds a store at exactly this program's version."""
    have, want = current_version(conn), latest_version()
    if have == want:
        return
    if have == 0:
        raise StoreError(
            f"{url_shown} holds no bwvdisclose store (or you may not read it); "
            f"create it with `bwvdisclose store init URL`"
        )
    if have < want:
        raise StoreError(
            f"the store at {url_shown} has schema version {have}; this bwvdisclose needs "
            f"{want}: the store's owner runs `bwvdisclose store init URL` to migrate it"
        )
    raise StoreError(
        f"the store at {url_shown} has schema version {have}, newer than this bwvdisclose "
        f"knows ({want}); upgrade bwvdisclose"
    )
