"""Seal to PAdES B-LTA, and extend a sealed record with a fresh archive timestamp.

Revision order, so that the last revision is always a document timestamp covering
every byte before it: the seal (with its RFC 3161 signature timestamp), then one DSS
update holding the certificates, OCSP responses and CRLs of the signer's and the TSA's
chains, then the document timestamp. `extend` appends another DSS update (fresh
revocation data for the last timestamp's TSA) and another document timestamp.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any, TypeVar

from cryptography import x509

from bwvdisclose.errors import RecordError, ServiceError, SigningError
from bwvdisclose.trust.revocation import check_signer, validation_context
from bwvdisclose.trust.tsa import LtvSettings

ARCHIVE_FIELD = "ArchiveTimestamp"
T = TypeVar("T")


def seal_lta(
    pdf: bytes,
    signer: Any,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    settings: LtvSettings,
    prepare: Callable[[Any], None],
    **meta: Any,
) -> bytes:
    """Sign `pdf` with pyHanko `signer` at B-LTA. `prepare` may adjust the writer first."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings, TimestampDSSContentSettings
    from pyhanko.sign.timestamps import HTTPTimeStamper

    who = _common_name(certificate)

    async def run(session: Any) -> bytes:
        context = validation_context(settings.trust_roots, chain, session, settings.timeout)
        await check_signer(certificate, context, who)
        dss = DSSContentSettings(
            include_vri=False,
            next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
        )
        metadata = signers.PdfSignatureMetadata(
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=True,
            use_pades_lta=True,
            validation_context=context,
            dss_settings=dss,
            timestamp_field_name=f"{ARCHIVE_FIELD}1",
            **meta,
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
        if writer.prev.embedded_signatures:
            raise RecordError("this PDF is already sealed; refusing to add a second signature")
        prepare(writer)
        stamper = HTTPTimeStamper(settings.tsa_url, timeout=settings.timeout, session=session)
        pdf_signer = signers.PdfSigner(metadata, signer=signer, timestamper=stamper)
        out = await pdf_signer.async_sign_pdf(writer)
        data: bytes = out.getvalue()
        return data

    return _with_session(settings, run)


def preflight(
    certificate: x509.Certificate, chain: tuple[x509.Certificate, ...], settings: LtvSettings
) -> None:
    """Refuse early (before rendering) a signer who is revoked, unknown or untrusted."""

    async def run(session: Any) -> None:
        context = validation_context(settings.trust_roots, chain, session, settings.timeout)
        await check_signer(certificate, context, _common_name(certificate))

    _with_session(settings, run)


def extend(pdf: bytes, settings: LtvSettings) -> bytes:
    """`pdf` with fresh revocation data for its last timestamp and a new document timestamp."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper, TimestampDSSContentSettings
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation.ades import ades_timestamp_validation_internal

    reader = PdfFileReader(BytesIO(pdf), strict=True)
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        raise RecordError(
            "this record has no document timestamp to extend (it was sealed without --tsa)"
        )
    last = stamps[-1]

    async def run(session: Any) -> bytes:
        context = validation_context(settings.trust_roots, [], session, settings.timeout)
        result = await ades_timestamp_validation_internal(
            last.signed_data,
            validation_context=context,
            expected_tst_imprint=last.compute_digest,
            ts_qualification_requirements=None,
        )
        status = result.api_status
        if status is None or not (status.intact and status.valid and status.trusted):
            why = result.failure_msg or "it does not validate now"
            raise SigningError(
                f"the record's last timestamp cannot be extended: {why}; nothing was written"
            )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
        stamper = HTTPTimeStamper(settings.tsa_url, timeout=settings.timeout, session=session)
        pdf_stamper = PdfTimeStamper(stamper, field_name=f"{ARCHIVE_FIELD}{len(stamps) + 1}")
        out = await pdf_stamper.async_timestamp_pdf(
            writer,
            status.md_algorithm,
            validation_context=context,
            validation_paths=[status.validation_path],
            dss_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
        )
        data: bytes = out.getvalue()
        return data

    return _with_session(settings, run)


def _with_session(settings: LtvSettings, run: Callable[[Any], Awaitable[T]]) -> T:
    """Run `run(session)` with one HTTP session, closed after; map network failures."""
    import aiohttp

    async def main() -> T:
        async with aiohttp.ClientSession() as session:
            return await run(session)

    with map_failures(settings.tsa_url):
        return asyncio.run(main())


@contextmanager
def map_failures(tsa_url: str) -> Iterator[None]:
    """A TSA, OCSP or CRL service that fails becomes one ServiceError (or RecordError)."""
    import aiohttp
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.timestamps import TimestampRequestError

    try:
        yield
    except TimestampRequestError as exc:
        raise ServiceError(
            f"the time-stamping authority at {tsa_url} did not give a timestamp: "
            f"{_one_line(exc)}; nothing was written"
        ) from None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ServiceError(
            f"a trust service did not answer ({_one_line(exc)}); nothing was written"
        ) from None
    except PyhankoSigningError as exc:
        raise ServiceError(
            f"the revocation data or timestamp could not be gathered: {_one_line(exc)}; "
            "nothing was written"
        ) from None
    except PdfError as exc:
        raise RecordError(f"cannot seal the record: {_one_line(exc)}") from None


def _common_name(cert: x509.Certificate) -> str:
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else "the signer"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
