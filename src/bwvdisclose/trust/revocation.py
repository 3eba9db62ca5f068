"""Revocation at signing: a certificate's path to a trust root, its status fetched live.

Every certificate in the chain is checked against its OCSP responder or CRL (hard
fail: no answer is a refusal, not a pass). What was fetched stays in the validation
context, so the same answers are embedded in the record's DSS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bwvdisclose.errors import ServiceError, SigningError


def asn1(cert: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def validation_context(
    trust_roots: Sequence[x509.Certificate],
    others: Sequence[x509.Certificate],
    session: Any,
    timeout: float,
) -> Any:
    """A context that fetches OCSP responses and CRLs over `session` and fails hard."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    return ValidationContext(
        trust_roots=[asn1(c) for c in trust_roots],
        other_certs=[asn1(c) for c in others],
        allow_fetching=True,
        revocation_mode="hard-fail",
        fetcher_backend=AIOHttpFetcherBackend(session=session, per_request_timeout=timeout),
    )


async def check_signer(cert: x509.Certificate, context: Any, who: str) -> Any:
    """The validated path of `cert`, or SigningError/ServiceError saying why it may not sign."""
    from pyhanko_certvalidator import CertificateValidator, errors

    validator = CertificateValidator(asn1(cert), validation_context=context)
    try:
        return await validator.async_validate_usage({"digital_signature"})  # type: ignore[no-untyped-call]
    except errors.RevokedError as exc:
        when = f"{exc.revocation_dt:%Y-%m-%d %H:%M} UTC"
        raise SigningError(
            f"{who}'s certificate was revoked on {when} ({exc.reason.human_friendly}); "
            "refusing to sign, nothing was written"
        ) from None
    except errors.InsufficientRevinfoError as exc:
        raise ServiceError(
            f"the revocation status of {who}'s certificate could not be established "
            f"(OCSP or CRL unreachable or unknown status): {_one_line(exc)}; nothing was written"
        ) from None
    except (errors.PathBuildingError, errors.PathValidationError) as exc:
        raise SigningError(
            f"{who}'s certificate is not trusted: {_one_line(exc)}; nothing was written"
        ) from None
    except errors.InvalidCertificateError as exc:
        raise SigningError(
            f"{who}'s certificate cannot sign: {_one_line(exc)}; nothing was written"
        ) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
