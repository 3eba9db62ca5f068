"""A TEST certificate authority, for demos and tests only (`bwvdisclose keys ca`).

It issues identities in the profile of `trust/profile.py`, so a force's CA can issue
the same thing. Everything it makes is marked TEST ONLY in the organizationName;
`TrustRoots.test_roots` and `verify` say so whenever it is used as a trust root.

A CA folder holds `ca.pem` (the root certificate: give it to `--trust`) and `ca.p12`
(its key, in an encrypted PKCS#12 file).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from bwvdisclose.errors import SigningError
from bwvdisclose.trust.keys import Identity, cert_pem, load_identity, write_private
from bwvdisclose.trust.profile import (
    MAX_NAME,
    MAX_RANK,
    ROLE_OID,
    ROLES,
    TEST_ORG,
    check_number,
    check_text,
)

CA_CERT = "ca.pem"
CA_KEY = "ca.p12"
CA_DAYS = 3650
IDENTITY_DAYS = 1825


@dataclass(frozen=True)
class Issued:
    p12: Path
    pem: Path
    certificate: x509.Certificate


def make_test_ca(
    folder: Path,
    passphrase: bytes,
    name: str = "bwvdisclose TEST CA",
    not_before: dt.datetime | None = None,
    days: int = CA_DAYS,
) -> Path:
    """Make a TEST root CA in `folder` (created 0700); return the path of its certificate."""
    _need_passphrase(passphrase)
    name = check_text("CA name", name, MAX_NAME)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_path, key_path = folder / CA_CERT, folder / CA_KEY
    for path in (cert_path, key_path):
        if path.exists():
            raise SigningError(f"{path} already exists; refusing to overwrite a CA")
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True,
        crl_sign=True, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(passphrase)
    )
    write_private(key_path, p12)
    write_private(cert_path, cert_pem(cert).encode())
    return cert_path


def load_ca(folder: Path, passphrase: bytes) -> Identity:
    """The CA's key and certificate from a folder made by `make_test_ca`."""
    if not (folder / CA_KEY).is_file():
        raise SigningError(f"{folder} is not a CA folder (no {CA_KEY}); make one with `keys ca`")
    ca = load_identity(folder / CA_KEY, passphrase)
    constraints = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    if not constraints.value.ca:
        raise SigningError(f"the certificate in {folder / CA_KEY} is not a CA certificate")
    return ca


def issue_test_identity(
    ca: Identity,
    out_dir: Path,
    passphrase: bytes,
    *,
    name: str,
    role: str,
    rank: str = "",
    number: str = "",
    not_before: dt.datetime | None = None,
    days: int = IDENTITY_DAYS,
    key_size: int = 3072,
) -> Issued:
    """Issue a TEST identity from `ca`; write `<stem>.p12` (key, cert, CA) and `<stem>.pem`.

    RSA, not ECDSA: pyHanko marks a PDF signed with a P-256 key as PDF 2.0 (ISO/TS 32002),
    which a PDF/A-3 (PDF 1.7) record must not claim to be.
    """
    _need_passphrase(passphrase)
    if role not in ROLES:
        raise SigningError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    name = check_text("signer's name", name, MAX_NAME)
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORG),
        x509.NameAttribute(ROLE_OID, role),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ]
    if rank.strip():
        attrs.append(x509.NameAttribute(NameOID.TITLE, check_text("rank", rank, MAX_RANK)))
    if number.strip():
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, check_number(number)))
    stem = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "signer"
    p12_path, pem_path = out_dir / f"{stem}.p12", out_dir / f"{stem}.pem"
    for path in (p12_path, pem_path):
        if path.exists():
            raise SigningError(f"{path} already exists; refusing to overwrite a key")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    cert = _issue(ca, key.public_key(), x509.Name(attrs), not_before, days)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    p12 = pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        cert,
        [ca.certificate],
        serialization.BestAvailableEncryption(passphrase),
    )
    write_private(p12_path, p12)
    write_private(pem_path, cert_pem(cert).encode())
    return Issued(p12_path, pem_path, cert)


def _issue(
    ca: Identity,
    public: rsa.RSAPublicKey,
    subject: x509.Name,
    not_before: dt.datetime | None,
    days: int,
) -> x509.Certificate:
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    end = min(start + dt.timedelta(days=days), ca.certificate.not_valid_after_utc)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(max(start, ca.certificate.not_valid_before_utc))
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski.value),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )


def _need_passphrase(passphrase: bytes) -> None:
    if not passphrase:
        raise SigningError("refusing to protect a key with an empty passphrase")
