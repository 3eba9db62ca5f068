"""The whole job on a PostgreSQL store, through the real commands; then the store copied
to a folder and back, verified on each side, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bwvdisclose.store.postgres.schema import AUDITOR_ROLE, WRITER_ROLE
from tests.pgcluster import Cluster

from .conftest import DEMO, PASS_ENV, REVIEW_BY, Keys, decide, new_case, run, sign_all


def login(cluster: Cluster, url: str, group: str, name: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            conn.execute(f"CREATE ROLE {name} LOGIN")
        conn.execute(f"GRANT {group} TO {name}")
    return cluster.url(conninfo_to_dict(url)["dbname"], name)


def test_the_whole_job_on_postgresql_then_copied_out_and_back(
    pg_cluster: Cluster, pg_url: str, keys: Keys, tmp_path: Path
) -> None:
    officer = login(pg_cluster, pg_url, WRITER_ROLE, "pc_jane_smith")
    store = officer  # type: ignore[assignment]  # the flow helpers pass str(store) on
    case_id = new_case(store)
    assert case_id.startswith("BWV-")
    decide(store, case_id)
    sign_all(store, keys, case_id)
    out = tmp_path / "record.pdf"
    code, stdout, err = run(
        "record", case_id, "--key", keys.p12("amy-ward"), "--passphrase-env", PASS_ENV,
        "--out", str(out), "--store", officer,
    )  # fmt: skip
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")
    code, stdout, err = run("verify", case_id, "--store", officer)
    assert code == 0, err
    assert "hash chain intact" in stdout
    code, stdout, err = run("verify", str(out))
    assert code == 0, err
    code, stdout, err = run("show", case_id, "--store", officer, "--format", "json")
    assert code == 0, err
    assert json.loads(stdout)["status"] == "recorded"
    assert "s3cret" not in stdout
    # The footage goes out, and is later taken down: both logged in the database.
    code, stdout, err = run("disclosed", case_id, "--to", "Met Police YouTube", "--store", officer)
    assert code == 0, err

    # An auditor reads everything and writes nothing.
    auditor = login(pg_cluster, pg_url, AUDITOR_ROLE, "dpo_reviewer")
    code, stdout, err = run("audit", "verify", "--store", auditor, "--require-records")
    assert code == 0, err + stdout
    assert "1 cases checked: 1 passed, 0 failed" in stdout
    # ... and takes the filed record out of the database, checked against the case log.
    code, stdout, err = run("records", case_id, "--store", auditor, "--out", str(tmp_path / "r"))
    assert code == 0, err + stdout
    [copied] = (tmp_path / "r").iterdir()
    assert copied.read_bytes() == out.read_bytes()
    assert stdout.startswith(f"ok   {copied.name}: event ")
    code, stdout, err = run("audit", "list", "--store", auditor, "--format", "json")
    assert code == 0, err
    assert [row["case_id"] for row in json.loads(stdout)] == [case_id]
    code, stdout, err = run("audit", "due", "--store", auditor, "--on", REVIEW_BY)
    assert code == 0 and f"{case_id}  publish_with_redactions  review by {REVIEW_BY}" in stdout
    code, _, err = run("withdrawn", case_id, "--reason", "Review: done", "--store", auditor)
    assert code == 1 and "your database role may not do this" in err
    code, _, err = run("withdrawn", case_id, "--reason", "Review: done", "--store", officer)
    assert code == 0, err
    code, stdout, err = run("show", case_id, "--store", auditor, "--format", "json")
    assert json.loads(stdout)["status"] == "withdrawn"
    code, _, err = run("new", "--incident-ref", "X", "--occurred", "2026-11-20T14:30",
                       "--location", "Y", "--clip", "c.mp4", "--answers", str(DEMO),
                       "--store", auditor)  # fmt: skip
    assert code == 1
    assert "your database role may not do this" in err
    assert "Traceback" not in err

    # Out to a folder, and from that folder into a second database.
    folder = tmp_path / "copied"
    code, stdout, err = run("store", "copy", officer, str(folder))
    assert code == 0, err
    assert "copied 1 cases" in stdout and "1 record files" in stdout
    code, stdout, err = run("audit", "verify", "--store", str(folder), "--require-records")
    assert code == 0, err + stdout
    log = (folder / case_id / "events.jsonl").read_bytes()
    with psycopg.connect(pg_url) as conn:
        lines = conn.execute(
            "SELECT line FROM bwvdisclose.events WHERE case_id = %s ORDER BY seq", (case_id,)
        ).fetchall()
    assert log == b"".join(bytes(r[0]) + b"\n" for r in lines)
    back = pg_cluster.create_database("copied_back", template="store_template")
    code, stdout, err = run("store", "copy", str(folder), back)
    assert code == 0, err
    code, stdout, err = run("audit", "verify", "--store", back, "--require-records")
    assert code == 0, err + stdout
    with psycopg.connect(back) as conn:
        again = conn.execute(
            "SELECT line FROM bwvdisclose.events WHERE case_id = %s ORDER BY seq", (case_id,)
        ).fetchall()
        [(pdf,)] = conn.execute("SELECT data FROM bwvdisclose.records").fetchall()
    assert again == lines
    assert bytes(pdf) == out.read_bytes()
