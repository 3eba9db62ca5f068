"""Signed statements: what a sign-off or a policy approval signs, and the signatures.

A statement is a context prefix (so a signature can never be replayed as one over
anything else made with the same key) followed by canonical JSON (sorted keys, no
spaces, UTF-8) of every field that gives it meaning. Change any field (the case, the
head, the role, the certificate, the outcome, the policy) and the signature fails.

  sign-off:  b"bwvdisclose sign-off statement v2\\0" + {case_id, head, role,
             fingerprint, outcome, policy_sha256}
  approval:  b"bwvdisclose policy approval v1\\0" + {policy_id, version, sha256,
             approved_at, fingerprint}
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from bwvdisclose.errors import SigningError
from bwvdisclose.trust.keys import Identity, load_cert_pem
from bwvdisclose.trust.token import TokenIdentity

SIGNOFF_CONTEXT = b"bwvdisclose sign-off statement v2\x00"
APPROVAL_CONTEXT = b"bwvdisclose policy approval v1\x00"
ALG_ECDSA = "ecdsa-sha256"
ALG_RSA_PSS = "rsa-pss-sha256"
ALG_RSA_PKCS1 = "rsa-pkcs1v15-sha256"
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)

AnyIdentity = Identity | TokenIdentity


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signoff_statement(
    *, case_id: str, head: str, role: str, fingerprint: str, outcome: str, policy_sha256: str
) -> bytes:
    return SIGNOFF_CONTEXT + canonical(
        {
            "case_id": case_id,
            "head": head,
            "role": role,
            "fingerprint": fingerprint,
            "outcome": outcome,
            "policy_sha256": policy_sha256,
        }
    )


def approval_statement(
    *, policy_id: str, version: str, sha256: str, approved_at: str, fingerprint: str
) -> bytes:
    return APPROVAL_CONTEXT + canonical(
        {
            "policy_id": policy_id,
            "version": version,
            "sha256": sha256,
            "approved_at": approved_at,
            "fingerprint": fingerprint,
        }
    )


def sign_statement(identity: AnyIdentity, message: bytes) -> tuple[str, str]:
    """Sign `message`; return (base64 signature, algorithm name)."""
    if isinstance(identity, TokenIdentity):
        sig = identity.sign_raw(message)
        public = identity.certificate.public_key()
        alg = ALG_ECDSA if isinstance(public, ec.EllipticCurvePublicKey) else ALG_RSA_PKCS1
        return base64.b64encode(sig).decode("ascii"), alg
    if isinstance(identity.key, ec.EllipticCurvePrivateKey):
        sig = identity.key.sign(message, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(sig).decode("ascii"), ALG_ECDSA
    sig = identity.key.sign(message, _PSS, hashes.SHA256())
    return base64.b64encode(sig).decode("ascii"), ALG_RSA_PSS


def verify_statement(cert_pem: str, message: bytes, signature_b64: str, algorithm: str) -> bool:
    """True only if the signature is the certificate's key signing exactly `message`."""
    try:
        public = load_cert_pem(cert_pem).public_key()
        sig = base64.b64decode(signature_b64, validate=True)
        if algorithm == ALG_ECDSA and isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(sig, message, ec.ECDSA(hashes.SHA256()))
        elif algorithm == ALG_RSA_PSS and isinstance(public, rsa.RSAPublicKey):
            public.verify(sig, message, _PSS, hashes.SHA256())
        elif algorithm == ALG_RSA_PKCS1 and isinstance(public, rsa.RSAPublicKey):
            public.verify(sig, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except (InvalidSignature, ValueError, SigningError):
        return False
    return True
