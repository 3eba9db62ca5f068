"""Seal a rendered record with a PAdES signature (pyHanko), as an incremental update.

The signature is invisible: no page content changes, so the PDF/A-3a record
stays as rendered and the signature covers every byte before it.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bwvdisclose.errors import RecordError
from bwvdisclose.ltv.settings import LtvSettings
from bwvdisclose.signing import Identity, load_identity

SIGNATURE_FIELD = "DecisionRecordSignature"


def seal_pdf(
    pdf: bytes, p12: Path, passphrase: bytes, reason: str, location: str, name: str
) -> bytes:
    """Return pdf with a PAdES-B-B signature by the identity in p12 appended to it."""
    identity = load_identity(p12, passphrase)
    return seal_with(pdf, identity, reason=reason, location=location, name=name)


def seal_with(
    pdf: bytes,
    identity: Identity,
    *,
    reason: str,
    location: str,
    name: str,
    ltv: LtvSettings | None = None,
) -> bytes:
    """Sign with an identity already opened (the benchmark and batch jobs reuse one).

    With `ltv`, the seal is PAdES B-LTA (timestamp, revocation data, document timestamp).
    """
    if ltv is not None:
        from bwvdisclose.ltv.archive import seal_lta

        return seal_lta(
            pdf, _pyhanko_signer(identity), identity.certificate, identity.chain, ltv,
            _align_producer, field_name=SIGNATURE_FIELD, reason=reason, location=location,
            name=name,
        )  # fmt: skip
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
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
        out = signers.PdfSigner(meta, signer=_pyhanko_signer(identity)).sign_pdf(writer)
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


def _pyhanko_signer(identity: Identity) -> Any:
    """A pyHanko SimpleSigner from an in-memory identity; the key never touches disk.

    SimpleSigner re-imports (and, for RSA, re-validates) its key on every raw
    signature, twice a seal; signing with the key object already loaded saves
    about a quarter of a second. Other mechanisms fall back to pyHanko's path.
    """
    from asn1crypto import keys, x509
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
    certs = [x509.Certificate.load(c.public_bytes(der)) for c in identity.chain]
    return _LoadedKeySigner(
        signing_cert=x509.Certificate.load(identity.certificate.public_bytes(der)),
        signing_key=keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(certs),  # type: ignore[no-untyped-call]
    )
