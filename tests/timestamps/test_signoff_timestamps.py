"""Sign-offs with a time-stamping authority: an RFC 3161 token over each signature, and the
OCSP responses and CRLs that showed the signer's certificate good when it signed.

A revoked signer, or one whose status cannot be fetched, cannot sign off (nothing is
written); a timestamped sign-off is judged at the token's time with the data it kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bwvdisclose.case import SignoffRecordedEvent
from bwvdisclose.signing import load_cert_pem
from bwvdisclose.store import open_store
from bwvdisclose.trust.timestamps import check_evidence
from tests.flow.conftest import DEMO, INTAKE, publish_options
from tests.pki import TestPki
from tests.pki.services import free_port

from .conftest import PKI_PASS_ENV, Sealed, ok, run, tree_digest, trust


def _signoffs(store: Path, case_id: str) -> list[SignoffRecordedEvent]:
    verdict, events = open_store(store).verify_and_read(case_id)
    assert verdict.ok
    return [e for e in events if isinstance(e, SignoffRecordedEvent)]


def test_every_sign_off_of_the_record_is_timestamped(sealed: Sealed, pki: TestPki) -> None:
    signoffs = _signoffs(sealed.case.store, sealed.case.case_id)
    assert len(signoffs) == 3 and all(s.evidence is not None for s in signoffs)
    out = ok(run("verify", str(sealed.pdf), *trust(pki)))
    for name in ("Amy Ward", "Sam Okafor", "Priya Shah"):
        assert f"ok   the sign-off by {name} is timestamped at 20" in out, out
    ok(run("audit", "verify", "--store", str(sealed.case.store), *trust(pki)))


def test_evidence_is_bound_to_its_own_signature(sealed: Sealed, pki: TestPki) -> None:
    first, second, _ = _signoffs(sealed.case.store, sealed.case.case_id)
    assert first.evidence is not None and second.evidence is not None
    roots = [load_cert_pem(pki.root_pem)]
    cert = load_cert_pem(first.certificate)
    chain = [load_cert_pem(c) for c in first.chain]
    good = check_evidence(first.signature, first.evidence.timestamp, first.evidence.ocsp,
                          first.evidence.crls, cert, chain, roots)  # fmt: skip
    assert good.at is not None and not good.broken and not good.untrusted
    swapped = check_evidence(first.signature, second.evidence.timestamp, first.evidence.ocsp,
                             first.evidence.crls, cert, chain, roots)  # fmt: skip
    assert swapped.broken == "the timestamp token does not cover this signature"
    no_revinfo = check_evidence(first.signature, first.evidence.timestamp, [], [],
                                cert, chain, roots)  # fmt: skip
    assert "no revocation information" in no_revinfo.untrusted
    ev = first.evidence
    untrusted_tsa = check_evidence(first.signature, ev.timestamp, ev.ocsp, ev.crls, cert, chain,
                                   [cert])  # fmt: skip
    assert untrusted_tsa.untrusted == "the time-stamping authority does not chain to a trust root"


@pytest.fixture
def decided(pki: TestPki, tmp_path: Path) -> tuple[Path, str]:
    store = tmp_path / "store"
    case_id = ok(run("new", *INTAKE, "--answers", str(DEMO), "--store", str(store))).strip()
    outcome = "publish_with_redactions"
    ok(run("decide", case_id, "--outcome", outcome, *publish_options(outcome),
           "--store", str(store)))  # fmt: skip
    return store, case_id


def _sign(store: Path, case_id: str, pki: TestPki, who: str, tsa: str) -> object:
    return run("sign", case_id, "--role", "decision_maker", "--key", str(pki.p12(who)),
               "--passphrase-env", PKI_PASS_ENV, "--store", str(store),
               *trust(pki), "--tsa", tsa)  # fmt: skip


def test_a_revoked_signer_cannot_sign_off(pki: TestPki, decided: tuple[Path, str]) -> None:
    store, case_id = decided
    before = tree_digest(store)
    result = _sign(store, case_id, pki, "rob-revoked", pki.tsa_url)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "Rob Revoked's certificate was revoked on 2025-01-01" in result.stderr  # type: ignore[attr-defined]
    assert tree_digest(store) == before


def test_an_unreachable_tsa_refuses_the_sign_off(pki: TestPki, decided: tuple[Path, str]) -> None:
    store, case_id = decided
    before = tree_digest(store)
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    result = _sign(store, case_id, pki, "amy-ward", dead)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert f"the time-stamping authority at {dead} did not give a timestamp" in result.stderr  # type: ignore[attr-defined]
    assert tree_digest(store) == before
