"""The PostgreSQL store's schema on a real server: init, migrations, roles, insert-only."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from bwvdisclose.errors import StoreError
from bwvdisclose.store.postgres import schema
from bwvdisclose.store.postgres.connect import connect
from bwvdisclose.store.postgres.schema import (
    AUDITOR_ROLE,
    WRITER_ROLE,
    check_schema,
    current_version,
    init_store,
    latest_version,
)
from tests.conftest import Invoke
from tests.pgcluster import Cluster

ZERO = "0" * 64


def login(cluster: Cluster, url: str, group: str, name: str) -> str:
    """A login role that is a member of `group`; its URL for the test's database."""
    dbname = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            conn.execute(f"CREATE ROLE {name} LOGIN")
        conn.execute(f"GRANT {group} TO {name}")
    return cluster.url(dbname, name)


def store_tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'bwvdisclose' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def opening_line(case_id: str = "BWV-2024-0001", hash_: str = "a" * 64) -> bytes:
    return (
        f'{{"case_id":"{case_id}","hash":"{hash_}","prev":"{ZERO}","seq":1,"type":"case_opened"}}'
    ).encode()


def insert_case(conn: psycopg.Connection[Any], case_id: str = "BWV-2024-0001") -> None:
    year, number = int(case_id[4:8]), int(case_id[9:])
    conn.execute(
        "INSERT INTO bwvdisclose.cases (case_id, year, number) VALUES (%s, %s, %s)",
        (case_id, year, number),
    )
    conn.execute(
        "INSERT INTO bwvdisclose.events (case_id, seq, type, prev, hash, line) "
        "VALUES (%s, 1, 'case_opened', %s, %s, %s)",
        (case_id, ZERO, "a" * 64, opening_line(case_id)),
    )
    if current_version(conn) >= 2:  # a store with a store-wide log commits the case there
        conn.execute(
            "INSERT INTO bwvdisclose.log_leaves (idx, case_id, seq, head) "
            "SELECT count(*), %s, 1, %s FROM bwvdisclose.log_leaves",
            (case_id, "a" * 64),
        )


# --- store init ---------------------------------------------------------------------------


def test_init_creates_the_schema_and_roles_then_changes_nothing(
    invoke: Invoke, pg_database: str
) -> None:
    first = invoke("store", "init", pg_database)
    assert first.exit_code == 0, first.output
    assert f"to version {latest_version()}" in first.output
    assert "001_case_store" in first.output
    with psycopg.connect(pg_database) as conn:
        assert current_version(conn) == latest_version()
        roles = conn.execute(
            "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'bwvdisclose_%'"
        ).fetchall()
    assert {r[0] for r in roles} >= {WRITER_ROLE, AUDITOR_ROLE}
    assert not any(r[1] for r in roles)  # group roles: nobody logs in as them
    again = invoke("store", "init", pg_database)
    assert again.exit_code == 0, again.output
    assert "is current; nothing to do" in again.output


def test_init_refuses_what_is_not_a_database_url(invoke: Invoke) -> None:
    result = invoke("store", "init", "casefiles")
    assert result.exit_code == 1
    assert "is not a PostgreSQL URL" in result.output
    assert "Traceback" not in result.output


def test_init_on_an_unreachable_server_says_so(invoke: Invoke, pg_cluster: Cluster) -> None:
    from tests.pgcluster import free_port

    url = f"postgresql://someone:s3cret@127.0.0.1:{free_port()}/nowhere"
    result = invoke("store", "init", url)
    assert result.exit_code == 1
    assert "cannot connect to the case store postgresql://someone@127.0.0.1" in result.output
    assert "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_init_without_privileges_says_what_is_needed(
    invoke: Invoke, pg_cluster: Cluster, pg_database: str
) -> None:
    url = login(pg_cluster, pg_database, "pg_read_all_data", "nobody_special")
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    result = invoke("store", "init", url)
    assert result.exit_code == 1
    assert "not allowed to set up the store" in result.output
    assert "Traceback" not in result.output


def test_role_names_are_checked(invoke: Invoke, pg_database: str) -> None:
    result = invoke("store", "init", pg_database, "--writer-role", 'x"; DROP TABLE y; --')
    assert result.exit_code == 1
    assert "is not a role name" in result.output
    with psycopg.connect(pg_database) as conn:
        assert current_version(conn) == 0  # nothing was done


def test_two_inits_at_once_both_succeed(pg_database: str) -> None:
    errors: list[BaseException] = []
    results: list[schema.InitResult] = []

    def run() -> None:
        try:
            with connect(pg_database) as conn:
                results.append(init_store(conn))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(len(r.applied) for r in results) == [0, 0, latest_version()]


# --- migrations -----------------------------------------------------------------------------


def test_migrations_are_numbered_without_gaps() -> None:
    found = schema.migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert all(m.sql.strip() for m in found)


@pytest.mark.parametrize("start", range(1, latest_version() + 1))
def test_a_store_migrates_forward_keeping_its_cases(
    pg_database: str, start: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: everything[:start])
    with connect(pg_database) as conn:
        assert init_store(conn).after == start
        with conn.transaction():
            insert_case(conn)
    monkeypatch.setattr(schema, "migrations", lambda: everything)
    with connect(pg_database) as conn:
        result = init_store(conn)
        assert (result.before, result.after) == (start, len(everything))
        check_schema(conn, "the store")
        line = conn.execute("SELECT line FROM bwvdisclose.events").fetchone()
        leaves = conn.execute("SELECT idx, case_id, seq, head FROM bwvdisclose.log_leaves")
        assert leaves.fetchall() == [(0, "BWV-2024-0001", 1, "a" * 64)]  # adopted, or logged
    assert line == (opening_line(),)


def test_an_old_or_missing_schema_is_refused_with_the_way_out(pg_database: str) -> None:
    with (
        connect(pg_database) as conn,
        pytest.raises(StoreError, match=r"holds no bwvdisclose store.*store init"),
    ):
        check_schema(conn, "db")


def test_a_newer_schema_is_never_touched(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "INSERT INTO bwvdisclose.schema_version (version, name) VALUES (%s, 'future')",
            (latest_version() + 1,),
        )
    with connect(pg_url) as conn:
        with pytest.raises(StoreError, match="newer than this bwvdisclose"):
            init_store(conn)
        with pytest.raises(StoreError, match="newer than this bwvdisclose"):
            check_schema(conn, "db")


# --- what the database enforces -------------------------------------------------------------


@pytest.mark.parametrize("role", [WRITER_ROLE, AUDITOR_ROLE])
def test_no_role_of_the_store_may_update_delete_or_truncate(pg_url: str, role: str) -> None:
    with psycopg.connect(pg_url) as conn:
        for table in store_tables(pg_url):
            for privilege in ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"):
                granted = conn.execute(
                    "SELECT has_table_privilege(%s, %s, %s)",
                    (role, f"bwvdisclose.{table}", privilege),
                ).fetchone()
                assert granted == (False,), (role, table, privilege)
            reads = conn.execute(
                "SELECT has_table_privilege(%s, %s, 'SELECT'), "
                "has_table_privilege(%s, %s, 'INSERT')",
                (role, f"bwvdisclose.{table}", role, f"bwvdisclose.{table}"),
            ).fetchone()
            assert reads == (True, role == WRITER_ROLE), (role, table)


def test_the_writer_inserts_and_cannot_change_or_remove(pg_cluster: Cluster, pg_url: str) -> None:
    writer = login(pg_cluster, pg_url, WRITER_ROLE, "duty_officer")
    with psycopg.connect(writer, autocommit=True) as conn:
        insert_case(conn)
        for sql in (
            "UPDATE bwvdisclose.events SET line = line",
            "DELETE FROM bwvdisclose.events",
            "TRUNCATE bwvdisclose.events CASCADE",
            "UPDATE bwvdisclose.cases SET number = 2",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM bwvdisclose.events").fetchone() == (1,)


def test_the_auditor_only_reads(pg_cluster: Cluster, pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        insert_case(conn)
    auditor = login(pg_cluster, pg_url, AUDITOR_ROLE, "dpo_auditor")
    with psycopg.connect(auditor, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM bwvdisclose.events").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert_case(conn, "BWV-2024-0002")


def test_nobody_else_reads_the_store(pg_cluster: Cluster, pg_url: str) -> None:
    other = login(pg_cluster, pg_url, "pg_monitor", "someone_else")
    with psycopg.connect(other) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM bwvdisclose.events")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE bwvdisclose.{t} SET {c} = {c}",
        "DELETE FROM bwvdisclose.{t}",
        "TRUNCATE bwvdisclose.{t} CASCADE",
    ],
)
def test_triggers_refuse_changes_even_to_the_owner(pg_url: str, sql: str) -> None:
    with psycopg.connect(pg_url) as conn:
        insert_case(conn)
    for table in store_tables(pg_url):
        with psycopg.connect(pg_url) as conn:
            column = conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'bwvdisclose' AND table_name = %s LIMIT 1",
                (table,),
            ).fetchone()
            assert column is not None
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="insert-only"):
                conn.execute(sql.format(t=table, c=column[0]))


def test_an_event_must_extend_its_chain(pg_url: str) -> None:
    insert = (
        "INSERT INTO bwvdisclose.events (case_id, seq, type, prev, hash, line) "
        "VALUES (%s, %s, %s, %s, %s, %s)"
    )
    with psycopg.connect(pg_url, autocommit=True) as conn:
        insert_case(conn)
        second = b'{"hash":"%s","prev":"%s","seq":2,"type":"answer_recorded"}'
        cases = [
            (3, "a" * 64, "b" * 64, "not the next event"),  # seq skips one
            (2, ZERO, "b" * 64, "does not follow"),  # prev is not event 1's hash
            (2, "a" * 64, "c" * 64, "columns do not match"),  # hash column is not the line's
        ]
        for seq, prev, hash_, _why in cases:
            line = second % (b"b" * 64, prev.encode())
            line = line.replace(b'"seq":2', b'"seq":%d' % seq)
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(insert, ("BWV-2024-0001", seq, "answer_recorded", prev, hash_, line))
        conn.execute(
            insert,
            (
                "BWV-2024-0001",
                2,
                "answer_recorded",
                "a" * 64,
                "b" * 64,
                second % (b"b" * 64, b"a" * 64),
            ),
        )
        conn.execute(
            "INSERT INTO bwvdisclose.cases (case_id, year, number) "
            "VALUES ('BWV-2024-0002', 2024, 2)"
        )
        with pytest.raises(psycopg.errors.CheckViolation, match="opens with its own"):
            conn.execute(
                insert,
                ("BWV-2024-0002", 1, "case_opened", ZERO, "a" * 64, opening_line("BWV-2024-0003")),
            )


def test_case_ids_cannot_be_issued_twice(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        insert_case(conn)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "INSERT INTO bwvdisclose.cases (case_id, year, number) "
                "VALUES ('BWV-2024-0001', 2024, 1)"
            )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO bwvdisclose.cases (case_id, year, number) "
                "VALUES ('BWV-2024-0001', 2024, 7)"
            )


def test_a_leaf_must_come_next_and_name_the_last_event(pg_url: str) -> None:
    insert = "INSERT INTO bwvdisclose.log_leaves (idx, case_id, seq, head) VALUES (%s, %s, %s, %s)"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        insert_case(conn)  # leaf 0
        with pytest.raises(psycopg.errors.CheckViolation, match="does not follow"):
            conn.execute(insert, (5, "BWV-2024-0001", 1, "a" * 64))
        with pytest.raises(psycopg.errors.CheckViolation, match="not its last event"):
            conn.execute(insert, (1, "BWV-2024-0001", 1, "b" * 64))
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, (1, "BWV-2024-0001", 1, "a" * 64))  # committed once already
