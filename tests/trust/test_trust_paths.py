"""Trust roots and paths: a certificate is trusted only through a root, at signing time,
with the non-repudiation key usage, in the role it claims."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from bwvdisclose.errors import SigningError
from bwvdisclose.trust.ca import make_test_ca
from bwvdisclose.trust.keys import cert_pem, load_cert_pem
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.profile import TEST_ORG
from bwvdisclose.trust.roots import TrustRoots, load_roots, roots_from
from tests.conftest import CA_START, DEMO_CA, KeyFiles, TestAuthority, roots

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def test_a_certificate_issued_by_a_root_is_trusted(
    key_files: KeyFiles, test_ca: TestAuthority
) -> None:
    trust = TrustChecker(roots(test_ca.pem)).check(load_cert_pem(key_files.pem), NOW)
    assert trust.trusted and "bwvdisclose tests TEST CA" in trust.root


def test_no_roots_means_nothing_is_trusted(key_files: KeyFiles) -> None:
    trust = TrustChecker(TrustRoots()).check(load_cert_pem(key_files.pem), NOW)
    assert not trust.trusted and "no trust roots are configured" in trust.problem


def test_another_root_does_not_vouch(key_files: KeyFiles) -> None:
    trust = TrustChecker(roots(DEMO_CA)).check(load_cert_pem(key_files.pem), NOW)
    assert not trust.trusted and "does not chain to a trust root" in trust.problem


def test_trusted_only_while_valid(key_files: KeyFiles, test_ca: TestAuthority) -> None:
    checker = TrustChecker(roots(test_ca.pem))
    cert = load_cert_pem(key_files.pem)
    assert checker.check(cert, NOW).trusted  # and the path is now remembered
    before = checker.check(cert, CA_START - dt.timedelta(days=1))
    after = checker.check(cert, cert.not_valid_after_utc + dt.timedelta(days=1))
    assert not before.trusted and not after.trusted


def test_the_role_asked_for_must_be_the_certificates(
    key_files: KeyFiles, test_ca: TestAuthority
) -> None:
    checker = TrustChecker(roots(test_ca.pem))
    cert = load_cert_pem(key_files.pem)
    assert checker.check(cert, NOW, role="decision_maker").trusted
    wrong = checker.check(cert, NOW, role="legal")
    assert not wrong.trusted and "decision_maker role" in wrong.problem


def _leaf(ca: TestAuthority, usage: x509.KeyUsage) -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORG),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "legal"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Only Encrypts"),
    ])  # fmt: skip
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca.ca.certificate.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(CA_START).not_valid_after(CA_START + dt.timedelta(days=3650))
        .add_extension(usage, critical=True)
        .sign(ca.ca.key, hashes.SHA256())  # type: ignore[arg-type]
    )  # fmt: skip


def test_the_key_must_be_certified_for_commitment(test_ca: TestAuthority) -> None:
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=True,
        data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    trust = TrustChecker(roots(test_ca.pem)).check(_leaf(test_ca, usage), NOW)
    assert not trust.trusted and "not valid for the purpose of non repudiation" in trust.problem


def test_roots_from_files_folders_and_the_environment(
    tmp_path: Path, test_ca: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "roots"
    folder.mkdir()
    (folder / "a.pem").write_text(test_ca.pem.read_text() + DEMO_CA.read_text())
    (folder / "notes.txt").write_text("ignored")
    assert len(load_roots([folder]).certificates) == 2
    monkeypatch.setenv("BWVDISCLOSE_TRUST", f"{test_ca.pem}:{DEMO_CA}:{test_ca.pem}")
    assert len(roots_from([]).certificates) == 2  # the same root twice counts once
    assert len(roots_from([DEMO_CA]).certificates) == 1  # --trust wins over the variable
    assert roots_from([DEMO_CA]).test_roots()  # the demo CA says it is TEST ONLY


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such trust root file"), ("not a certificate", "is not a PEM certificate")],
)
def test_a_bad_root_is_one_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "root.pem"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SigningError, match=message):
        load_roots([path])


def test_a_self_signed_certificate_is_trusted_only_if_named(tmp_path: Path) -> None:
    pem = make_test_ca(tmp_path / "self", b"pw", not_before=CA_START)
    cert = load_cert_pem(pem)
    assert not TrustChecker(roots(DEMO_CA)).check(cert, NOW).trusted
    assert cert_pem(cert) == pem.read_text()
