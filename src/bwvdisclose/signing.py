"""Keys, certificates and sign-off signatures. Uses `cryptography` only.

The identities made here are self-signed and marked TEST ONLY: a force would
issue real ones from its own PKI. A private key only ever reaches disk inside
an encrypted PKCS#12 file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from bwvdisclose.errors import SigningError

ROLES = ("decision_maker", "legal", "data_protection")
TEST_ORG = "bwvdisclose TEST ONLY - not for operational use"
ALG_ECDSA = "ecdsa-sha256"
ALG_RSA = "rsa-pss-sha256"
# Sign-off signatures cover this prefix and the raw head digest, so they cannot be
# replayed as a signature over anything else made with the same key.
SIGNOFF_CONTEXT = b"bwvdisclose sign-off v1\x00"
TEST_CERT_DAYS = 3650

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Identity:
    """A signer: private key, its certificate, and any intermediate certificates."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def create_test_identity(
    name: str, role: str, out_dir: Path, passphrase: bytes, rank: str = "", number: str = ""
) -> tuple[Path, Path]:
    """Make an RSA-3072 key and self-signed TEST certificate; write `<stem>.p12`, `<stem>.pem`.

    RSA, not ECDSA: pyHanko marks a PDF signed with a P-256 key as PDF 2.0 (ISO/TS 32002),
    which a PDF/A-3 (PDF 1.7) record must not claim to be.
    """
    if not passphrase:
        raise SigningError("refusing to protect a key with an empty passphrase")
    if role not in ROLES:
        raise SigningError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not name.strip():
        raise SigningError("a signer needs a name")
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    cert = _self_signed(key, _subject(name.strip(), role, rank.strip(), number.strip()))
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() else "-" for c in name.strip().lower()).strip("-") or "signer"
    p12_path, pem_path = out_dir / f"{stem}.p12", out_dir / f"{stem}.pem"
    for path in (p12_path, pem_path):
        if path.exists():
            raise SigningError(f"{path} already exists; refusing to overwrite a key")
    p12 = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(passphrase)
    )
    _write_private(p12_path, p12)
    _write_private(pem_path, cert_pem(cert).encode())
    return p12_path, pem_path


def _subject(name: str, role: str, rank: str, number: str) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORG),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ]
    if rank:
        attrs.append(x509.NameAttribute(NameOID.TITLE, rank))
    if number:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, number))
    return x509.Name(attrs)


def _self_signed(key: rsa.RSAPrivateKey, subject: x509.Name) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=TEST_CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_identity(p12: Path, passphrase: bytes) -> Identity:
    """Open an encrypted PKCS#12 file. Errors never repeat the passphrase."""
    try:
        data = p12.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read key file {p12}: {exc.strerror}") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise SigningError(
            f"cannot open key file {p12}: wrong passphrase or not a PKCS#12 file"
        ) from None
    if cert is None or not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SigningError(f"key file {p12} does not hold an EC or RSA key and its certificate")
    check_in_date(cert, f"the certificate in {p12}")
    return Identity(key=key, certificate=cert, chain=tuple(extra))


def check_in_date(cert: x509.Certificate, what: str, now: dt.datetime | None = None) -> None:
    """Refuse to sign with a certificate that has expired or is not valid yet."""
    now = now or dt.datetime.now(dt.UTC)
    if now > cert.not_valid_after_utc:
        raise SigningError(f"{what} expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    if now < cert.not_valid_before_utc:
        raise SigningError(
            f"{what} is not valid until {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )


def sign_head(identity: Identity, head_hex: str) -> tuple[str, str]:
    """Sign a case log head hash; return (base64 signature, algorithm name)."""
    message = _signoff_message(head_hex)
    if isinstance(identity.key, ec.EllipticCurvePrivateKey):
        sig = identity.key.sign(message, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(sig).decode("ascii"), ALG_ECDSA
    sig = identity.key.sign(message, _PSS, hashes.SHA256())
    return base64.b64encode(sig).decode("ascii"), ALG_RSA


def verify_head_signature(cert_pem: str, head_hex: str, signature_b64: str, algorithm: str) -> bool:
    """True only if the signature is the certificate's key signing exactly this head."""
    public = load_cert_pem(cert_pem).public_key()
    try:
        message = _signoff_message(head_hex)
        sig = base64.b64decode(signature_b64, validate=True)
        if algorithm == ALG_ECDSA and isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(sig, message, ec.ECDSA(hashes.SHA256()))
        elif algorithm == ALG_RSA and isinstance(public, rsa.RSAPublicKey):
            public.verify(sig, message, _PSS, hashes.SHA256())
        else:
            return False
    except (InvalidSignature, ValueError, SigningError):
        return False
    return True


def _signoff_message(head_hex: str) -> bytes:
    try:
        digest = bytes.fromhex(head_hex)
    except ValueError:
        raise SigningError("a case head must be a hex digest") from None
    if not digest:
        raise SigningError("a case head must be a hex digest")
    return SIGNOFF_CONTEXT + digest


def cert_fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_cert_pem(text_or_path: str | Path) -> x509.Certificate:
    """A certificate from PEM text, or from a path to a PEM file."""
    if isinstance(text_or_path, Path) or "-----BEGIN" not in text_or_path:
        try:
            text = Path(text_or_path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise SigningError(f"cannot read certificate {text_or_path}: {exc}") from None
    else:
        text = text_or_path
    try:
        return x509.load_pem_x509_certificate(text.encode("ascii"))
    except ValueError:
        raise SigningError("not a PEM certificate") from None


def subject_details(cert: x509.Certificate) -> dict[str, str | bool]:
    """Name, role, rank and collar number from the subject, and whether it is TEST ONLY."""

    def first(oid: x509.ObjectIdentifier) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    return {
        "name": first(NameOID.COMMON_NAME),
        "role": first(NameOID.ORGANIZATIONAL_UNIT_NAME),
        "rank": first(NameOID.TITLE),
        "number": first(NameOID.SERIAL_NUMBER),
        "test_only": "TEST ONLY" in first(NameOID.ORGANIZATION_NAME),
    }


def passphrase_from(env_var: str | None, prompt: Callable[[], str] | None) -> bytes:
    """The passphrase from the named environment variable, else from the prompt callback."""
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise SigningError(f"environment variable {env_var} is not set or is empty")
    elif prompt is not None:
        value = prompt()
    else:
        raise SigningError("no passphrase source: name an environment variable or use a prompt")
    if not value:
        raise SigningError("the passphrase must not be empty")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:  # never repeat the passphrase, not even in part
        source = f"in {env_var} " if env_var else ""
        raise SigningError(f"the passphrase {source}is not valid UTF-8 text") from None
