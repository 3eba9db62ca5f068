"""`store copy`: a store moved folder -> PostgreSQL -> folder comes out byte for byte; a
damaged source, a store that is not empty or not set up, are refused with nothing copied."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from bwvdisclose.store import open_store
from bwvdisclose.synth import generate_store
from tests.conftest import Invoke
from tests.pgcluster import Cluster

from ..case.conftest import OFFICER, answer, open_case

CASES = 30


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder store of synthetic cases: every outcome, sign-offs, record files."""
    root = tmp_path_factory.mktemp("synthetic") / "store"
    generate_store(root, CASES, seed=14, keys_dir=root.parent / "keys")
    return root


def files_of(root: Path) -> dict[str, bytes]:
    """Every case file that holds evidence (events and records), by path in the store."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (p.name == "events.jsonl" or p.parent.name == "records")
    }


def test_a_store_goes_to_postgresql_and_back_byte_for_byte(
    invoke: Invoke, synthetic: Path, pg_url: str, tmp_path: Path
) -> None:
    there = invoke("store", "copy", str(synthetic), pg_url)
    assert there.exit_code == 0, there.output
    assert f"copied {CASES} cases" in there.output
    trust = str(synthetic.parent / "keys" / "ca.pem")  # the synthetic store's TEST CA
    verified = invoke("audit", "verify", "--store", pg_url, "--trust", trust)
    assert verified.exit_code == 0, verified.output
    assert f"{CASES} cases checked: {CASES} passed" in verified.output
    back = tmp_path / "back"
    again = invoke("store", "copy", pg_url, str(back))
    assert again.exit_code == 0, again.output
    original, returned = files_of(synthetic), files_of(back)
    assert any("/records/" in name for name in original)
    assert returned == original
    # The copy is a store like any other: new cases get new IDs there.
    store = open_store(pg_url)
    new = open_case(store)
    assert new not in open_store(str(synthetic)).list_ids()


def test_a_damaged_source_is_refused_and_nothing_is_copied(
    invoke: Invoke, pg_url: str, tmp_path: Path
) -> None:
    source = open_store(str(tmp_path / "src"))
    good, bad = open_case(source), open_case(source)
    source.append(bad, OFFICER, answer("people.children", "none"))
    log = tmp_path / "src" / bad / "events.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"none"', b'"some"'))
    result = invoke("store", "copy", str(tmp_path / "src"), pg_url)
    assert result.exit_code == 1
    assert f"{bad}: event 2: hash does not match" in result.output
    assert "nothing was copied" in result.output
    assert open_store(pg_url).list_ids() == []
    assert good


def test_a_changed_record_file_is_refused(
    invoke: Invoke, synthetic: Path, tmp_path: Path, pg_url: str
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(synthetic, copy)
    record = next(copy.glob("*/records/*"))
    record.write_bytes(record.read_bytes() + b"%")
    result = invoke("store", "copy", str(copy), pg_url)
    assert result.exit_code == 1
    assert f"record {record.name} differs" in result.output
    assert open_store(pg_url).list_ids() == []


def test_a_destination_holding_cases_is_refused(
    invoke: Invoke, pg_url: str, tmp_path: Path
) -> None:
    open_case(open_store(pg_url))
    open_case(open_store(str(tmp_path / "src")))
    result = invoke("store", "copy", str(tmp_path / "src"), pg_url)
    assert result.exit_code == 1
    assert "already holds cases" in result.output


def test_a_database_not_set_up_says_how(invoke: Invoke, pg_database: str, tmp_path: Path) -> None:
    open_case(open_store(str(tmp_path / "src")))
    result = invoke("store", "copy", str(tmp_path / "src"), pg_database)
    assert result.exit_code == 1
    assert "bwvdisclose store init URL" in result.output
    assert "Traceback" not in result.output


def test_a_missing_source_folder_is_named(invoke: Invoke, pg_url: str, tmp_path: Path) -> None:
    result = invoke("store", "copy", str(tmp_path / "nowhere"), pg_url)
    assert result.exit_code == 1
    assert "no case store at" in result.output


def test_a_tampered_database_source_is_refused(
    invoke: Invoke, pg_url: str, pg_cluster: Cluster, tmp_path: Path
) -> None:
    store = open_store(pg_url)
    case_id = open_case(store)
    store.append(case_id, OFFICER, answer("people.children", "none"))
    with psycopg.connect(pg_url) as conn:
        conn.execute("ALTER TABLE bwvdisclose.events DISABLE TRIGGER USER")
        conn.execute(
            "UPDATE bwvdisclose.events SET line = convert_to(replace(convert_from(line, "
            "'UTF8'), '\"none\"', '\"some\"'), 'UTF8') WHERE case_id = %s AND seq = 2",
            (case_id,),
        )
        conn.execute("ALTER TABLE bwvdisclose.events ENABLE TRIGGER USER")
    result = invoke("store", "copy", pg_url, str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{case_id}: event 2: hash does not match" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_demo_fills_a_database_store_too(
    invoke: Invoke, synthetic: Path, pg_url: str, tmp_path: Path
) -> None:
    keys = synthetic.parent / "keys"  # the module's demo identities: no new RSA keys
    refused = invoke("demo", "--cases", "3", "--store", pg_url)
    assert refused.exit_code == 2
    assert "give --keys DIR" in refused.output
    made = invoke("demo", "--cases", "3", "--store", pg_url, "--keys", str(keys))
    assert made.exit_code == 0, made.output
    assert "wrote 3 synthetic cases to postgresql://" in made.output
    verified = invoke("audit", "verify", "--store", pg_url, "--trust", str(keys / "ca.pem"))
    assert verified.exit_code == 0, verified.output
    assert "3 cases checked: 3 passed" in verified.output
