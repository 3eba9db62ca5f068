"""The scenarios a records archivist cares about, against live TEST PKI services.

All valid is in test_record_lta.py. Here: a signer revoked before signing is refused; one
revoked after signing, or whose certificate expired after signing, still verifies by
the timestamp; an unreachable TSA or revocation service is one clear error and nothing
is written. Where a whole case adds nothing, a small PDF is sealed through the same
library call the record uses (rendering a record takes seconds).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import Result

from bwvdisclose.errors import SigningError
from bwvdisclose.record.html import templates_dir
from bwvdisclose.record.pdf import render_pdf
from bwvdisclose.record.seal import seal_with
from bwvdisclose.record.verify import verify_pdf
from bwvdisclose.signing import Identity, load_identity
from bwvdisclose.trust.tsa import LtvSettings
from tests.conftest import roots
from tests.pki import PASSPHRASE, TestPki
from tests.pki.services import free_port

from .conftest import Case, ok, record, run, signed_case, tree_digest, trust


def _refused(result: Result, *needles: str) -> str:
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def ready(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Case:
    """A case signed off and ready for its record (which the tests here fail to make)."""
    return signed_case(tmp_path_factory.mktemp("ready") / "store", pki, tsa=False)


@pytest.fixture(scope="module")
def page() -> bytes:
    html = (
        '<html lang="en-GB"><head><title>t</title></head><body><p>A page to seal.</p></body></html>'
    )
    return render_pdf(html, templates_dir(), [], "scenario")


def _identity(pki: TestPki, who: str) -> Identity:
    return load_identity(pki.p12(who), PASSPHRASE.encode())


def _settings(pki: TestPki) -> LtvSettings:
    return LtvSettings.of(pki.tsa_url, roots(pki.root_pem).certificates)


def _seal(page: bytes, identity: Identity, ltv: LtvSettings | None) -> bytes:
    return seal_with(page, identity, reason="test", location="here", name="test", ltv=ltv)


def test_a_signer_revoked_before_signing_is_refused(pki: TestPki, tmp_path: Path) -> None:
    case = signed_case(tmp_path / "store", pki, maker="rob-revoked", tsa=False)
    before = tree_digest(tmp_path / "store")
    out = tmp_path / "record.pdf"
    result = record(case, pki, out, "rob-revoked", "--tsa", pki.tsa_url)
    _refused(result, "Rob Revoked's certificate was revoked on 2025-01-01", "nothing was written")
    assert not out.exists()
    assert tree_digest(tmp_path / "store") == before


def test_an_unreachable_tsa_is_one_clear_error(pki: TestPki, ready: Case, tmp_path: Path) -> None:
    before = tree_digest(ready.store)
    out = tmp_path / "record.pdf"
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    result = record(ready, pki, out, "amy-ward", "--tsa", dead)
    _refused(result, f"the time-stamping authority at {dead} did not give a timestamp")
    assert not out.exists()
    assert tree_digest(ready.store) == before


def test_unreachable_revocation_services_are_one_clear_error(
    pki: TestPki, ready: Case, tmp_path: Path
) -> None:
    """OCSP responder and CRLs down: the signer's status cannot be established; refused."""
    before = tree_digest(ready.store)
    out = tmp_path / "record.pdf"
    pki.stop()
    try:
        result = record(ready, pki, out, "amy-ward", "--tsa", pki.tsa_url)
    finally:
        pki.serve()
    _refused(result, "the revocation status of Amy Ward's certificate could not be established")
    assert not out.exists()
    assert tree_digest(ready.store) == before


def test_a_signer_revoked_after_signing_still_verifies(
    pki: TestPki, page: bytes, tmp_path: Path
) -> None:
    lee, ltv = _identity(pki, "lee-later"), _settings(pki)
    sealed = _seal(page, lee, ltv)
    time.sleep(1.1)  # the revocation comes strictly after the signature timestamp
    pki.restart(revoke={"lee-later": dt.datetime.now(dt.UTC)})
    with pytest.raises(SigningError, match="Lee Later's certificate was revoked on"):
        _seal(page, lee, ltv)  # the revocation is live: signing now is refused
    check = verify_pdf(sealed, ltv.trust_roots)
    assert check.ok, check.problems
    # pyHanko's own AdES validator, fetching the revocation live, agrees
    out = tmp_path / "lee.pdf"
    out.write_bytes(sealed)
    command = [
        str(Path(sys.executable).parent / "pyhanko"), "sign", "adesverify",
        *trust(pki), "--trust-replace", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert ":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>" in done.stdout, done.stdout
    # an archive timestamp added after the revocation keeps it verifying
    ok(run("extend", str(out), "--tsa", pki.tsa_url, *trust(pki)))
    again = verify_pdf(out.read_bytes(), ltv.trust_roots)
    assert again.ok and len(again.archive_times) == 2, again.problems


def test_a_certificate_expired_after_signing_still_verifies(
    pki: TestPki, page: bytes, tmp_path: Path
) -> None:
    """Validated as a verifier would three days after the signer's certificate expired."""
    eve, ltv = _identity(pki, "eve-expiring"), _settings(pki)
    expiry = eve.certificate.not_valid_after_utc
    later = expiry + dt.timedelta(days=3)
    assert dt.datetime.now(dt.UTC) < expiry < later
    stamped = verify_pdf(_seal(page, eve, ltv), ltv.trust_roots, at=later)
    assert stamped.ok, stamped.problems
    assert stamped.signed_at is not None and stamped.signed_at < expiry
    # the same signer's seal without a timestamp fails at that time: the timestamp matters
    bare = _seal(page, eve, None)
    assert verify_pdf(bare, ltv.trust_roots).ok
    assert not verify_pdf(bare, ltv.trust_roots, at=later).trusted
    # and a record sealed without a timestamp cannot be extended: it has no chain to extend
    (tmp_path / "bare.pdf").write_bytes(bare)
    result = run("extend", str(tmp_path / "bare.pdf"), "--tsa", pki.tsa_url,
                 *trust(pki))  # fmt: skip
    _refused(result, "has no document timestamp to extend (it was sealed without --tsa)")
    assert (tmp_path / "bare.pdf").read_bytes() == bare
