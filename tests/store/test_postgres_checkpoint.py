"""An insider with the database owner's rights rewrites a case so that everything agrees
(hash chain, store-wide log): only the auditor's checkpoint shows it, as on a folder."""

from __future__ import annotations

from pathlib import Path

import psycopg

from bwvdisclose.case.events import build_event, event_line
from bwvdisclose.case.payloads import AnswerRecorded
from bwvdisclose.cases import Cases
from bwvdisclose.policy import load_policy
from bwvdisclose.store import open_store
from tests.conftest import Invoke, KeyFiles, signed_case

from ..case.conftest import INSPECTOR, OFFICER, answer, open_case


def rewrite_answer(url: str, case_id: str, question: str, value: object) -> None:
    """Change one answer and re-hash every later event and leaf, as a careful insider would."""
    store = open_store(url)
    events = store.read(case_id)
    new, prev = [], "0" * 64
    for e in events:
        body = e.model_dump(exclude={"seq", "at", "actor", "prev", "hash"})
        if isinstance(e, AnswerRecorded) and e.question == question:
            body["value"] = value
        rebuilt = build_event(e.seq, e.at, e.actor, prev, type(e).__bases__[1](**body))
        new.append(rebuilt)
        prev = rebuilt.hash
    with psycopg.connect(url) as conn:
        for table in ("events", "log_leaves"):
            conn.execute(f"ALTER TABLE bwvdisclose.{table} DISABLE TRIGGER USER")
        for e in new:
            conn.execute(
                "UPDATE bwvdisclose.events SET line = %s, prev = %s, hash = %s "
                "WHERE case_id = %s AND seq = %s",
                (event_line(e)[:-1], e.prev, e.hash, case_id, e.seq),
            )
            conn.execute(
                "UPDATE bwvdisclose.log_leaves SET head = %s WHERE case_id = %s AND seq = %s",
                (e.hash, case_id, e.seq),
            )
        for table in ("events", "log_leaves"):
            conn.execute(f"ALTER TABLE bwvdisclose.{table} ENABLE TRIGGER USER")
    store.close()  # type: ignore[attr-defined]


def test_a_consistent_rewrite_passes_alone_and_fails_against_a_checkpoint(
    invoke: Invoke, pg_url: str, tmp_path: Path
) -> None:
    store = open_store(pg_url)
    case_id = open_case(store)
    store.append(case_id, OFFICER, answer("legal.active_proceedings", False, "None known."))
    other = open_case(store)
    key = tmp_path / "store.key"
    made = invoke("audit", "keygen", "--name", "test-store", "--out", str(key))
    assert made.exit_code == 0, made.output
    point = invoke("audit", "checkpoint", "--store", pg_url, "--key", str(key))
    assert point.exit_code == 0, point.output
    (tmp_path / "checkpoint").write_text(point.output)
    store.append(other, OFFICER, answer("people.children", "none"))  # the store moves on

    rewrite_answer(pg_url, case_id, "legal.active_proceedings", True)

    alone = invoke("audit", "verify", "--store", pg_url)
    assert alone.exit_code == 0, alone.output  # everything agrees with everything else
    checked = invoke(
        "audit", "verify", "--store", pg_url, "--checkpoint", str(tmp_path / "checkpoint"),
        "--verifier", f"{key}.pub",
    )  # fmt: skip
    assert checked.exit_code == 1
    assert "does not extend the checkpoint" in checked.output


def test_a_record_file_changed_in_the_database_fails_the_audit(
    invoke: Invoke, pg_url: str, key_files: KeyFiles
) -> None:
    import hashlib

    from bwvdisclose.case.payloads import RecordRendered

    store = open_store(pg_url)
    case_id = signed_case(Cases(store, load_policy(None)), OFFICER, key_files)
    pdf = b"%PDF-1.7\n%%EOF\n"

    def build(events: object, name: str) -> RecordRendered:
        head = store.read(case_id)[-1].hash
        return RecordRendered(
            file=name, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), head=head
        )

    filed = store.file_record(case_id, INSPECTOR, pdf, build)  # type: ignore[arg-type]
    assert invoke("audit", "verify", "--store", pg_url).exit_code == 0
    forged = pdf.replace(b"1.7", b"1.4")
    with psycopg.connect(pg_url) as conn:
        conn.execute("ALTER TABLE bwvdisclose.records DISABLE TRIGGER USER")
        conn.execute(
            "UPDATE bwvdisclose.records SET data = %s, sha256 = %s WHERE name = %s",
            (forged, hashlib.sha256(forged).hexdigest(), filed.name),
        )
        conn.execute("ALTER TABLE bwvdisclose.records ENABLE TRIGGER USER")
    result = invoke("audit", "verify", "--store", pg_url)
    assert result.exit_code == 1
    assert f"record {filed.name}" in result.output and "differs" in result.output
