"""Timestamps and revocation data for a sign-off statement's signature.

At signing: the signer's status is fetched live (revoked or unknown is refused), the
OCSP responses and CRLs that proved it are kept, and an RFC 3161 token is requested
over SHA-256 of the signature value. Later, offline: the token must cover exactly that
signature and chain to a trust root, and the signer's certificate is judged at the
time the token proves, with the revocation data kept at signing.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509

from bwvdisclose.trust.revocation import asn1, check_signer, validation_context
from bwvdisclose.trust.tsa import LtvSettings

MAX_TOKEN = 16_384  # a timestamp token is a few KB; more is not one
MAX_REVINFO = 65_536  # OCSP responses and CRLs kept with one sign-off, base64, each


@dataclass(frozen=True)
class Evidence:
    """What a timestamped sign-off keeps: the token and the revocation data, base64 DER."""

    timestamp: str
    ocsp: tuple[str, ...]
    crls: tuple[str, ...]


def gather(
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    signature: bytes,
    settings: LtvSettings,
    who: str,
) -> Evidence:
    """Refuse a revoked or unknown signer; timestamp `signature`; keep the revocation data."""
    import aiohttp
    from pyhanko.sign.timestamps import HTTPTimeStamper

    from bwvdisclose.trust.archive import map_failures

    async def run() -> Evidence:
        async with aiohttp.ClientSession() as session:
            context = validation_context(settings.trust_roots, chain, session, settings.timeout)
            await check_signer(certificate, context, who)
            stamper = HTTPTimeStamper(settings.tsa_url, timeout=settings.timeout, session=session)
            token = await stamper.async_timestamp(hashlib.sha256(signature).digest(), "sha256")
            return Evidence(
                timestamp=_b64(token.dump()),
                ocsp=tuple(_b64(o.dump()) for o in context.ocsps),
                crls=tuple(_b64(c.dump()) for c in context.crls),
            )

    with map_failures(settings.tsa_url):
        return asyncio.run(run())


@dataclass(frozen=True)
class TokenCheck:
    """When a token proves a signature existed, or why it proves nothing."""

    at: dt.datetime | None
    problem: str = ""


PYHANKO_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


@contextmanager
def quiet(*names: str) -> Iterator[None]:
    """Silence these loggers for a block: pyHanko logs each failed check with a traceback,
    and the result we return already says what failed."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def check_token(token_b64: str, signature: bytes, trust: Sequence[x509.Certificate]) -> TokenCheck:
    """The time an RFC 3161 token proves for `signature`, if it covers it and is trusted."""
    with quiet(*PYHANKO_LOGGERS):
        return _check_token(token_b64, signature, trust)


def _check_token(token_b64: str, signature: bytes, trust: Sequence[x509.Certificate]) -> TokenCheck:
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus
    from pyhanko_certvalidator import ValidationContext

    try:
        der = base64.b64decode(token_b64, validate=True)
        if len(der) > MAX_TOKEN:
            return TokenCheck(None, "the timestamp token is too large to be one")
        signed_data = cms.ContentInfo.load(der, strict=True)["content"]
        context = ValidationContext(trust_roots=[asn1(c) for c in trust], allow_fetching=False)

        def imprint(algorithm: str) -> bytes:
            return hashlib.new(algorithm, signature).digest()

        kwargs = asyncio.run(validate_tst_signed_data(signed_data, context, imprint))
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # a damaged token proves nothing, it does not crash a check
        return TokenCheck(None, f"the timestamp token cannot be read ({_one_line(exc)})")
    if not (status.intact and status.valid):
        return TokenCheck(None, "the timestamp token does not cover this signature")
    if not status.trusted:
        return TokenCheck(None, "the time-stamping authority does not chain to a trust root")
    when: dt.datetime = status.timestamp
    return TokenCheck(when)


def valid_at(
    certificate: x509.Certificate,
    at: dt.datetime,
    trust: Sequence[x509.Certificate],
    evidence_ocsp: Sequence[str],
    evidence_crls: Sequence[str],
    chain: Sequence[x509.Certificate] = (),
) -> str:
    """'' if the certificate chains to a root and is not revoked at `at` by the kept data."""
    with quiet(*PYHANKO_LOGGERS):
        return _valid_at(certificate, at, trust, evidence_ocsp, evidence_crls, chain)


def _valid_at(
    certificate: x509.Certificate,
    at: dt.datetime,
    trust: Sequence[x509.Certificate],
    evidence_ocsp: Sequence[str],
    evidence_crls: Sequence[str],
    chain: Sequence[x509.Certificate],
) -> str:
    from pyhanko_certvalidator import CertificateValidator, ValidationContext, errors

    try:
        context = ValidationContext(
            trust_roots=[asn1(c) for c in trust],
            other_certs=[asn1(c) for c in chain],
            moment=at,
            allow_fetching=False,
            revocation_mode="hard-fail",
            ocsps=[base64.b64decode(o, validate=True) for o in evidence_ocsp],
            crls=[base64.b64decode(c, validate=True) for c in evidence_crls],
        )
        validator = CertificateValidator(asn1(certificate), validation_context=context)
        asyncio.run(validator.async_validate_usage(set()))  # type: ignore[no-untyped-call]
    except errors.RevokedError as exc:
        return f"its certificate was revoked on {exc.revocation_dt:%Y-%m-%d %H:%M} UTC"
    except Exception as exc:
        return f"its certificate was not valid at {at:%Y-%m-%d %H:%M:%S} UTC ({_one_line(exc)})"
    return ""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _one_line(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:200]


@dataclass(frozen=True)
class EvidenceCheck:
    """A timestamped sign-off: when it was signed, or what is wrong (broken or untrusted)."""

    at: dt.datetime | None
    broken: str = ""
    untrusted: str = ""


def check_evidence(
    signature_b64: str,
    timestamp: str,
    ocsp: Sequence[str],
    crls: Sequence[str],
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    trust: Sequence[x509.Certificate],
) -> EvidenceCheck:
    """The token must cover this signature; the signer is judged at the token's time, offline."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return EvidenceCheck(None, broken="its signature is not base64")
    token = check_token(timestamp, signature, trust)
    if token.at is None:
        broken = "does not cover" in token.problem or "cannot be read" in token.problem
        return EvidenceCheck(
            None,
            broken=token.problem if broken else "",
            untrusted="" if broken else token.problem,
        )
    problem = valid_at(certificate, token.at, trust, ocsp, crls, chain)
    return EvidenceCheck(token.at, untrusted=problem)
