"""`bwvdisclose extend`: a fresh archive timestamp, only on a record that verifies."""

from __future__ import annotations

import shutil
from pathlib import Path

from bwvdisclose.record.check import check_record
from bwvdisclose.record.verify import verify_pdf
from tests.conftest import DEMO_CA, roots
from tests.pki import TestPki

from .conftest import Sealed, ok, run, trust


def test_extend_adds_an_archive_timestamp_and_the_record_still_checks(
    sealed: Sealed, pki: TestPki, tmp_path: Path
) -> None:
    copy = tmp_path / "record.pdf"
    shutil.copy(sealed.pdf, copy)
    original = copy.read_bytes()
    out = ok(run("extend", str(copy), "--tsa", pki.tsa_url, *trust(pki)))
    assert f"{copy}: archive timestamp 2 added at " in out
    extended = copy.read_bytes()
    assert extended.startswith(original)  # an incremental update: the sealed bytes stay
    roots_ = roots(pki.root_pem, DEMO_CA)
    result = check_record(extended, roots_)
    assert result.ok, [text for good, text in result.lines if not good]
    assert "2 archive timestamps" in " ".join(text for _, text in result.lines)
    times = verify_pdf(extended, roots_).archive_times
    assert len(times) == 2 and times[0] < times[1]


def test_extend_to_another_file_leaves_the_original(
    sealed: Sealed, pki: TestPki, tmp_path: Path
) -> None:
    out = tmp_path / "extended.pdf"
    before = sealed.pdf.read_bytes()
    ok(run("extend", str(sealed.pdf), "--out", str(out), "--tsa", pki.tsa_url,
           *trust(pki)))  # fmt: skip
    assert sealed.pdf.read_bytes() == before
    assert out.read_bytes().startswith(before)


def test_extend_refuses_a_tampered_record_and_leaves_it(
    sealed: Sealed, pki: TestPki, tmp_path: Path
) -> None:
    copy = tmp_path / "record.pdf"
    data = bytearray(sealed.pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    result = run("extend", str(copy), "--tsa", pki.tsa_url, *trust(pki))
    assert result.exit_code == 1
    assert "the record does not verify, so it is not extended" in result.stderr
    assert copy.read_bytes() == bytes(data)


def test_extend_needs_a_tsa_and_a_trust_root(sealed: Sealed, pki: TestPki) -> None:
    result = run("extend", str(sealed.pdf), *trust(pki),
                 env={"BWVDISCLOSE_TSA": None})  # fmt: skip
    assert result.exit_code == 1 and "needs a time-stamping authority" in result.stderr
    result = run("extend", str(sealed.pdf), "--tsa", pki.tsa_url, env={"BWVDISCLOSE_TRUST": None})
    assert result.exit_code == 1 and "needs trust roots" in result.stderr
    result = run("extend", str(sealed.pdf), "--tsa", "ftp://x", *trust(pki))
    assert result.exit_code == 1 and "must be an http(s) URL" in result.stderr


def test_extend_refuses_the_copy_filed_in_a_case(
    sealed: Sealed, pki: TestPki, tmp_path: Path
) -> None:
    """Found: `extend` on the record in a case's records/ folder replaced it in place, and
    `audit verify` then failed the case, whose log names the record's original SHA-256."""
    store = tmp_path / "store"
    shutil.copytree(sealed.case.store, store)
    filed = next(store.rglob("records/*.pdf"))
    before = filed.read_bytes()
    result = run("extend", str(filed), "--tsa", pki.tsa_url, *trust(pki))
    assert result.exit_code == 1, result.output
    assert "is the copy filed in case" in result.stderr and "--out NEW.pdf" in result.stderr
    assert filed.read_bytes() == before
    ok(run("audit", "verify", "--store", str(store), *trust(pki)))
    archived = tmp_path / "archived.pdf"
    ok(run("extend", str(filed), "--out", str(archived), "--tsa", pki.tsa_url, *trust(pki)))
    assert archived.read_bytes().startswith(before) and filed.read_bytes() == before
    ok(run("audit", "verify", "--store", str(store), *trust(pki)))
