"""Keys on a PKCS#11 token (smartcard or HSM), through pyHanko's PKCS#11 support.

`open_token(lib, token_label, key_label, pin)` logs in and finds the key and the
certificate stored under `key_label` (and any CA certificates on the token, for the
chain). The PIN comes from an environment variable or a prompt, never an argument.
The key never leaves the token: sign-offs and the seal are signed on it.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bwvdisclose.errors import SigningError

MAX_LABEL = 64


@dataclass(frozen=True)
class TokenIdentity:
    """A signer whose key stays on a PKCS#11 token; `signer` is pyHanko's PKCS11Signer."""

    signer: Any
    session: Any
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def sign_raw(self, message: bytes) -> bytes:
        """The token's signature over `message` (SHA-256; RSA PKCS#1 v1.5 or ECDSA)."""
        try:
            data: bytes = asyncio.run(self.signer.async_sign_raw(message, "sha256"))
        except Exception as exc:
            raise SigningError(f"the token refused to sign: {_one_line(exc)}") from None
        return data

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a session the token already dropped
            self.session.close()


def open_token(lib: Path, token_label: str, key_label: str, pin: str) -> TokenIdentity:
    """Log in to the token labelled `token_label` and load the key and certificate `key_label`."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    for what, label in (("token label", token_label), ("key label", key_label)):
        if not label or len(label) > MAX_LABEL:
            raise SigningError(f"a {what} must be 1 to {MAX_LABEL} characters")
    if not Path(lib).is_file():
        raise SigningError(f"PKCS#11 library {lib} not found")
    try:
        session = open_pkcs11_session(
            str(lib), token_criteria=TokenCriteria(label=token_label), user_pin=pin
        )
    except Exception as exc:  # no such token, wrong PIN, locked token, bad library
        raise SigningError(
            f"cannot open token {token_label!r} with {lib}: {_one_line(exc)}"
        ) from None
    try:
        signer = PKCS11Signer(
            session, cert_label=key_label, key_label=key_label, other_certs_to_pull=None
        )
        asn1_cert = signer.signing_cert  # loads the key handle and the certificates
        der = serialization.Encoding.DER
        cert = x509.load_der_x509_certificate(asn1_cert.dump())
        chain = tuple(
            x509.load_der_x509_certificate(c.dump())
            for c in signer.cert_registry
            if c.dump() != cert.public_bytes(der)
        )
    except Exception as exc:
        session.close()
        raise SigningError(
            f"token {token_label!r} holds no key and certificate labelled {key_label!r}: "
            f"{_one_line(exc)}"
        ) from None
    return TokenIdentity(signer=signer, session=session, certificate=cert, chain=chain)


def _one_line(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:200]
