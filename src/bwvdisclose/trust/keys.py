"""Signing identities held in a file: an encrypted PKCS#12 (key, certificate, chain).

A PKCS#12 from any CA works: the force's own, or the TEST CA (`trust/ca.py`). A private
key only ever reaches disk inside an encrypted PKCS#12 file. Keys on a PKCS#11 token
are in `trust/token.py`; both kinds sign through `trust/statement.py` and `pdf_signer`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from bwvdisclose.errors import SigningError
from bwvdisclose.inputfile import read_input

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
MAX_KEY_FILE = 1 << 20


@dataclass(frozen=True)
class Identity:
    """A signer: private key, its certificate, and any intermediate certificates."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_identity(p12: Path, passphrase: bytes) -> Identity:
    """Open an encrypted PKCS#12 file. Errors never repeat the passphrase."""
    data = read_input(p12, "key file", MAX_KEY_FILE, SigningError)
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


def cert_fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def intermediates(chain: tuple[x509.Certificate, ...]) -> list[str]:
    """The CA certificates between a signer and a root, as PEM (roots come from --trust)."""
    return [cert_pem(c) for c in chain if c.subject != c.issuer][:5]


def chain_of(pems: list[str]) -> list[x509.Certificate]:
    """Certificates from PEM texts, skipping any that do not parse (they prove nothing)."""
    out = []
    for pem in pems:
        try:
            out.append(load_cert_pem(pem))
        except SigningError:
            continue
    return out


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_cert_pem(text_or_path: str | Path) -> x509.Certificate:
    """A certificate from PEM text, or from a path to a PEM file."""
    if isinstance(text_or_path, Path) or "-----BEGIN" not in text_or_path:
        data = read_input(text_or_path, "certificate file", MAX_KEY_FILE, SigningError)
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise SigningError(f"{text_or_path}: not a PEM certificate (not ASCII text)") from None
    else:
        text = text_or_path
    try:
        return x509.load_pem_x509_certificate(text.encode("ascii"))
    except ValueError:
        raise SigningError("not a PEM certificate") from None


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


def pdf_signer(identity: Identity) -> Any:
    """A pyHanko SimpleSigner from an in-memory identity; the key never touches disk.

    SimpleSigner re-imports (and, for RSA, re-validates) its key on every raw
    signature, twice a seal; signing with the key object already loaded saves
    about a quarter of a second. Other mechanisms fall back to pyHanko's path.
    """
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class _LoadedKeySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(
                identity.key, rsa.RSAPrivateKey
            ):
                digest = get_pyca_cryptography_hash(digest_algorithm)
                return identity.key.sign(data, padding.PKCS1v15(), digest)
            return super().sign_raw(data, digest_algorithm)

    der = serialization.Encoding.DER
    key_der = identity.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certs = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in identity.chain]
    return _LoadedKeySigner(
        signing_cert=asn1_x509.Certificate.load(identity.certificate.public_bytes(der)),
        signing_key=keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(certs),  # type: ignore[no-untyped-call]
    )
