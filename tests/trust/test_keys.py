from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from bwvdisclose.errors import SigningError
from bwvdisclose.signing import (
    cert_fingerprint,
    cert_pem,
    create_test_identity,
    load_cert_pem,
    load_identity,
    passphrase_from,
    sign_head,
    subject_details,
    verify_head_signature,
)
from tests.conftest import KeyFiles

HEAD = hashlib.sha256(b"case log head").hexdigest()


def test_files_are_private_and_key_is_encrypted(key_files: KeyFiles) -> None:
    for path in (key_files.p12, key_files.pem):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in key_files.pem.read_bytes()
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(key_files.p12.read_bytes(), None)


def test_certificate_is_marked_test_and_names_the_signer(key_files: KeyFiles) -> None:
    cert = load_cert_pem(key_files.pem)
    assert subject_details(cert) == {
        "name": "Jane Smith",
        "role": "decision_maker",
        "rank": "Inspector",
        "number": "4711",
        "test_only": True,
    }
    assert cert.issuer == cert.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign


def test_identity_loads_with_the_right_passphrase(key_files: KeyFiles) -> None:
    identity = load_identity(key_files.p12, key_files.passphrase)
    assert cert_pem(identity.certificate) == key_files.pem.read_text()
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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"passphrase": b""}, "empty passphrase"),
        ({"role": "chief"}, "unknown role"),
        ({"name": "  "}, "needs a name"),
    ],
)
def test_create_refuses_bad_input(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"name": "A", "role": "legal", "passphrase": b"pw"} | kwargs
    with pytest.raises(SigningError, match=message):
        create_test_identity(out_dir=tmp_path, **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_create_refuses_to_overwrite(key_files: KeyFiles) -> None:
    with pytest.raises(SigningError, match="already exists"):
        create_test_identity("Jane Smith", "legal", key_files.p12.parent, b"other")


def test_head_signature_verifies_only_for_that_head(key_files: KeyFiles) -> None:
    identity = load_identity(key_files.p12, key_files.passphrase)
    pem = key_files.pem.read_text()
    signature, algorithm = sign_head(identity, HEAD)
    assert algorithm == "rsa-pss-sha256"
    assert verify_head_signature(pem, HEAD, signature, algorithm)
    other = hashlib.sha256(b"another head").hexdigest()
    assert not verify_head_signature(pem, other, signature, algorithm)
    assert not verify_head_signature(pem, HEAD, signature, "ecdsa-sha256")
    assert not verify_head_signature(pem, HEAD, "not base64!", algorithm)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert not verify_head_signature(pem, HEAD, flipped, algorithm)
    assert not verify_head_signature(pem, "zz", signature, algorithm)
    with pytest.raises(SigningError, match="hex digest"):
        sign_head(identity, "not hex")


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
