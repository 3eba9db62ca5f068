from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from bwvdisclose.errors import SigningError
from bwvdisclose.trust.keys import (
    cert_fingerprint,
    cert_pem,
    load_cert_pem,
    load_identity,
    passphrase_from,
)
from bwvdisclose.trust.profile import identity_of
from tests.conftest import KeyFiles, TestAuthority


def test_files_are_private_and_key_is_encrypted(key_files: KeyFiles) -> None:
    for path in (key_files.p12, key_files.pem):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in key_files.pem.read_bytes()
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(key_files.p12.read_bytes(), None)


def test_certificate_is_issued_by_the_ca_marked_test_and_names_the_signer(
    key_files: KeyFiles, test_ca: TestAuthority
) -> None:
    cert = load_cert_pem(key_files.pem)
    who = identity_of(cert)
    assert (who.name, who.role, who.rank, who.number) == (
        "Jane Smith", "decision_maker", "Inspector", "4711"
    )  # fmt: skip
    assert who.test_only
    assert cert.issuer == test_ca.ca.certificate.subject != cert.subject
    cert.verify_directly_issued_by(test_ca.ca.certificate)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign


def test_identity_loads_with_the_right_passphrase(key_files: KeyFiles) -> None:
    identity = load_identity(key_files.p12, key_files.passphrase)
    assert cert_pem(identity.certificate) == key_files.pem.read_text()
    assert identity.chain and identity.chain[0].subject == identity.certificate.issuer
    der = identity.certificate.public_bytes(serialization.Encoding.DER)
    assert cert_fingerprint(identity.certificate) == hashlib.sha256(der).hexdigest()


def test_wrong_passphrase_is_one_clear_line_without_the_passphrase(key_files: KeyFiles) -> None:
    with pytest.raises(SigningError) as info:
        load_identity(key_files.p12, b"hunter2-wrong")
    message = str(info.value)
    assert "wrong passphrase" in message
    assert "hunter2" not in message and "\n" not in message


def test_not_a_key_file(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.p12"
    bogus.write_bytes(b"not pkcs12")
    with pytest.raises(SigningError, match="not a PKCS#12 file"):
        load_identity(bogus, b"x")
    with pytest.raises(SigningError, match="cannot read key file"):
        load_identity(tmp_path / "missing.p12", b"x")


def test_load_cert_pem_from_text_or_path(key_files: KeyFiles) -> None:
    text = key_files.pem.read_text()
    assert load_cert_pem(text) == load_cert_pem(key_files.pem) == load_cert_pem(str(key_files.pem))
    with pytest.raises(SigningError, match="not a PEM certificate"):
        load_cert_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def test_passphrase_from_env_or_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BWV_TEST_PASS", "s3cret")
    assert passphrase_from("BWV_TEST_PASS", None) == b"s3cret"
    assert passphrase_from(None, lambda: "typed") == b"typed"
    monkeypatch.delenv("BWV_TEST_PASS")
    with pytest.raises(SigningError, match="BWV_TEST_PASS is not set"):
        passphrase_from("BWV_TEST_PASS", lambda: "ignored")
    with pytest.raises(SigningError, match="must not be empty"):
        passphrase_from(None, lambda: "")
    with pytest.raises(SigningError, match="no passphrase source"):
        passphrase_from(None, None)


def _cert_with(**attrs: str) -> x509.Certificate:
    """A self-issued certificate whose subject holds exactly `attrs` (any length)."""
    import datetime as dt

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    oids = {"cn": NameOID.COMMON_NAME, "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "title": NameOID.TITLE, "number": NameOID.SERIAL_NUMBER}  # fmt: skip
    name = x509.Name([x509.NameAttribute(oids[k], v, _validate=False) for k, v in attrs.items()])
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip


@pytest.mark.filterwarnings("ignore:Attribute's length must be")
@pytest.mark.parametrize(
    ("field", "attrs"),
    [
        ("name", {"cn": "N" * 201, "ou": "legal"}),
        ("rank", {"cn": "Jane Smith", "ou": "legal", "title": "R" * 101}),
        ("number", {"cn": "Jane Smith", "ou": "legal", "number": "4" * 51}),
    ],
)
def test_a_certificate_field_over_its_limit_is_refused(field: str, attrs: dict[str, str]) -> None:
    """Found: the limits on name, rank and number held for what is typed, not for what a
    certificate (from any CA) says; `rank` had a limit nothing checked."""
    with pytest.raises(SigningError, match=f"the certificate's {field} is .* the limit is"):
        identity_of(_cert_with(**attrs))
