"""The audit report sealed like a record, under the same trust roots, and checked by verify."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import Invoke, KeyFiles

PASS_ENV = "BWV_TEST_REPORT_PASS"


def _report(
    invoke: Invoke, store: Path, out: Path, key: KeyFiles | None, *extra: str
) -> tuple[int, str, str]:
    args = ["audit", "report", "--store", str(store), "--out", str(out), *extra]
    env = {}
    if key is not None:
        args += ["--key", str(key.p12), "--passphrase-env", PASS_ENV]
        env[PASS_ENV] = key.passphrase.decode()
    result = invoke(*args, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_sealed_report_verifies_and_names_its_signer(
    invoke: Invoke, hand_store: Path, tmp_path: Path, key_files: KeyFiles
) -> None:
    out = tmp_path / "report.pdf"
    code, stdout, stderr = _report(invoke, hand_store, out, key_files)
    assert code == 0, stderr
    assert "sealed by Jane Smith (decision maker)" in stdout
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    checked = invoke("verify", str(out))
    assert checked.exit_code == 0, checked.output
    lines = checked.stdout
    assert "ok   the PDF signature is valid and covers the whole file" in lines
    assert "chains to a trust root" in lines
    assert "ok   the report's statistics are embedded (audit-report.json)" in lines
    assert "ok   the SHA-256 printed in the report matches its statistics" in lines
    assert lines.rstrip().endswith(f"{out}: verified")
    if shutil.which("pdfsig"):
        independent = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True)
        assert "Signature is Valid." in independent.stdout
    # The report's signature field says what it seals (it was "DecisionRecordSignature").
    from pyhanko.pdf_utils.reader import PdfFileReader

    with out.open("rb") as f:
        names = [s.field_name for s in PdfFileReader(f).embedded_signatures]
    assert names == ["AuditReportSignature"]


def test_a_changed_sealed_report_fails(
    invoke: Invoke, hand_store: Path, tmp_path: Path, key_files: KeyFiles
) -> None:
    out = tmp_path / "report.pdf"
    assert _report(invoke, hand_store, out, key_files)[0] == 0
    data = bytearray(out.read_bytes())
    at = data.index(b"/Title")  # a byte the signature covers
    data[at + 1] ^= 0x01
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(data))
    checked = invoke("verify", str(bad))
    assert checked.exit_code == 1
    assert "FAILED verification" in checked.stderr


def test_an_untrusted_key_issues_no_sealed_report(
    invoke: Invoke, hand_store: Path, tmp_path: Path, key_files: KeyFiles
) -> None:
    out = tmp_path / "report.pdf"
    code, _, stderr = _report(
        invoke, hand_store, out, key_files, "--trust", str(tmp_path / "nothing.pem")
    )
    assert code in (1, 3), stderr
    assert not out.exists()


def test_an_unsealed_report_says_so_and_does_not_verify(
    invoke: Invoke, hand_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    code, stdout, stderr = _report(invoke, hand_store, out, None)
    assert code == 0, stderr
    assert "NOT sealed" in stdout
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "This report is not sealed" in " ".join(text.split())
    checked = invoke("verify", str(out))
    assert checked.exit_code == 1
