"""`verify FILE.pdf` holds a record to what its embedded log and policy say.

Red-team findings: a record signed off only by the decision maker verified (the policy
requires more roles for the outcome decided), and a record whose page contradicts its
log (rendered from a force's own templates) verified.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bwvdisclose.record.check import check_record
from tests.conftest import DEMO_CA, TestAuthority, roots
from tests.flow.conftest import PASS_ENV, Keys, Signed, decide, new_case, run, sign, sign_all


def _record(store: Path, keys: Keys, case_id: str, out: Path) -> tuple[int, str, str]:
    return run(
        "record", case_id, "--key", keys.p12("amy-ward"), "--passphrase-env", PASS_ENV,
        "--out", str(out), "--store", str(store),
    )  # fmt: skip


def _verify(pdf: Path, test_ca: TestAuthority) -> tuple[int, str, str]:
    return run("verify", str(pdf), "--trust", str(test_ca.pem), "--trust", str(DEMO_CA))


def test_a_record_without_the_required_signoffs_fails(
    tmp_path: Path, keys: Keys, test_ca: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Legal and data protection signed an earlier decision (stale); the maker bypasses `record`'s
    readiness check in-process and seals: verify names both roles and fails."""
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    sign_all(store, keys, case_id)
    decide(store, case_id, why="Decided again")  # every sign-off above is now stale
    code, _, err = sign(store, keys, case_id, "amy-ward", "decision_maker")
    assert code == 0, err
    monkeypatch.setattr("bwvdisclose.trust.signoff.missing_roles", lambda s, p: [])
    code, _, err = _record(store, keys, case_id, tmp_path / "r.pdf")
    assert code == 0, err
    code, out, err = _verify(tmp_path / "r.pdf", test_ca)
    assert code == 1, out + err
    assert re.search(r"^FAIL .*publish_with_redactions.*legal, data_protection", out, re.M), out
    assert "stale" in out
    assert "verified" not in out.splitlines()[-1]


def test_the_record_names_the_required_signoffs_present(
    signed: Signed, test_ca: TestAuthority
) -> None:
    result = check_record(signed.pdf.read_bytes(), roots(test_ca.pem, DEMO_CA))
    assert result.ok, result.lines
    assert any(
        ok and "decision_maker, legal, data_protection" in text and "policy requires" in text
        for ok, text in result.lines
    ), result.lines
