"""Seal a rendered record with a PAdES signature (pyHanko), as an incremental update.

The signature is invisible: no page content changes, so the PDF/A-3a record
stays as rendered and the signature covers every byte before it.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from bwvdisclose.errors import RecordError
from bwvdisclose.trust.keys import load_identity, pdf_signer
from bwvdisclose.trust.statement import AnyIdentity
from bwvdisclose.trust.token import TokenIdentity
from bwvdisclose.trust.tsa import LtvSettings

SIGNATURE_FIELD = "DecisionRecordSignature"


def seal_pdf(
    pdf: bytes, p12: Path, passphrase: bytes, reason: str, location: str, name: str
) -> bytes:
    """Return pdf with a PAdES-B-B signature by the identity in p12 appended to it."""
    identity = load_identity(p12, passphrase)
    return seal_with(pdf, identity, reason=reason, location=location, name=name)


def seal_with(
    pdf: bytes,
    identity: AnyIdentity,
    *,
    reason: str,
    location: str,
    name: str,
    ltv: LtvSettings | None = None,
    field_name: str = SIGNATURE_FIELD,
) -> bytes:
    """Sign with an identity already opened: a PKCS#12 key in memory or a key on a token.

    With `ltv`, the seal is PAdES B-LTA (timestamp, revocation data, document timestamp).
    `field_name` names the signature field: what the signature seals.
    """
    if ltv is not None:
        from bwvdisclose.trust.archive import seal_lta

        return seal_lta(
            pdf, _signer_for(identity), identity.certificate, identity.chain, ltv,
            _align_producer, field_name=field_name, reason=reason, location=location,
            name=name,
        )  # fmt: skip
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
        if writer.prev.embedded_signatures:
            raise RecordError("this PDF is already sealed; refusing to add a second signature")
        _align_producer(writer)
        out = signers.PdfSigner(meta, signer=_signer_for(identity)).sign_pdf(writer)
    except PdfError as exc:
        raise RecordError(f"cannot seal the record: {exc}") from None
    data: bytes = out.getvalue()
    return data


def _align_producer(writer: Any) -> None:
    """Keep /Info and XMP saying the same Producer, as PDF/A requires.

    pyHanko writes its own name as the XMP producer but appends it to an existing
    /Info producer; starting /Info from its name alone keeps the two equal. The
    renderer stays named as the creator tool in both.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    old = writer.prev.trailer_view.get("/Info")
    source = old.get_object() if old is not None else {}
    info = generic.DictionaryObject(source)  # type: ignore[no-untyped-call]
    info["/Producer"] = generic.TextStringObject(VENDOR)
    writer.set_info(info)


def _signer_for(identity: AnyIdentity) -> Any:
    """pyHanko's signer: the token's PKCS11Signer, or a SimpleSigner over the loaded key."""
    if isinstance(identity, TokenIdentity):
        return identity.signer
    return pdf_signer(identity)
