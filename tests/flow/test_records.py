"""`bwvdisclose records`: the filed records of a case from any store, checked against its log."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

from tests.flow.conftest import Signed, new_case, run


def _copy(signed: Signed, tmp_path: Path) -> tuple[Path, Path]:
    store = tmp_path / "store"
    shutil.copytree(signed.store, store)
    [filed] = (store / signed.case_id / "records").iterdir()
    return store, filed


def test_lists_and_copies_the_record_as_logged(signed: Signed, tmp_path: Path) -> None:
    store, filed = _copy(signed, tmp_path)
    code, out, err = run("records", signed.case_id, "--store", str(store))
    assert code == 0, err
    assert out.startswith(f"ok   {filed.name}: event ")
    assert f"SHA-256 {hashlib.sha256(filed.read_bytes()).hexdigest()}" in out
    target = tmp_path / "out"
    code, out, err = run("records", signed.case_id, "--store", str(store), "--out", str(target))
    assert code == 0, err
    copied = target / filed.name
    assert copied.read_bytes() == filed.read_bytes() == signed.pdf.read_bytes()
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600
    assert f"copied to {copied}" in out
    # again: the same bytes are already there, nothing is overwritten
    code, _, err = run("records", signed.case_id, "--store", str(store), "--out", str(target))
    assert code == 0, err
    code, out, _ = run("records", signed.case_id, "--store", str(store), "--format", "json")
    [row] = json.loads(out)["records"]
    assert row["file"] == filed.name and row["state"] == "ok" and row["size"] > 0


def test_a_changed_record_is_reported_and_never_copied(signed: Signed, tmp_path: Path) -> None:
    store, filed = _copy(signed, tmp_path)
    data = bytearray(filed.read_bytes())
    data[len(data) // 2] ^= 0x01
    filed.write_bytes(bytes(data))
    target = tmp_path / "out"
    code, out, err = run("records", signed.case_id, "--store", str(store), "--out", str(target))
    assert code == 1
    assert f"FAIL {filed.name}" in out and out.rstrip().endswith(": DIFFERS")
    assert "is not the file its log names" in err and "Traceback" not in err
    assert not (target / filed.name).exists()
    filed.unlink()
    code, out, err = run("records", signed.case_id, "--store", str(store))
    assert code == 1 and out.rstrip().endswith(": MISSING")


def test_a_file_of_that_name_already_there_is_not_overwritten(
    signed: Signed, tmp_path: Path
) -> None:
    store, filed = _copy(signed, tmp_path)
    target = tmp_path / "out"
    target.mkdir()
    (target / filed.name).write_bytes(b"mine")
    code, _, err = run("records", signed.case_id, "--store", str(store), "--out", str(target))
    assert code == 1 and "already exists and differs" in err
    assert (target / filed.name).read_bytes() == b"mine"


def test_a_tampered_log_hands_out_nothing(signed: Signed, tmp_path: Path) -> None:
    store, _ = _copy(signed, tmp_path)
    log = store / signed.case_id / "events.jsonl"
    log.write_bytes(log.read_bytes().replace(b"Amy Ward", b"Amy Ware", 1))
    code, out, err = run("records", signed.case_id, "--store", str(store), "--out", str(tmp_path))
    assert code == 1 and "fails verification" in err
    assert out == ""


def test_no_record_yet_and_no_such_case(tmp_path: Path) -> None:
    store = tmp_path / "store"
    case_id = new_case(store)
    code, out, err = run("records", case_id, "--store", str(store))
    assert code == 0, err
    assert "no decision record filed yet" in out
    code, _, err = run("records", "BWV-2026-9999", "--store", str(store))
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
