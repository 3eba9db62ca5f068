"""Check a sealed record: one signature, intact, covering every byte, by a trusted signer.

pyHanko does the cryptographic work. On top of it we insist that the bytes
pyHanko ignores are canonical too (the hex case of /Contents and the zero
padding after the CMS blob), so that any single changed byte fails the check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from cryptography import x509

from bwvdisclose.errors import RecordError
from bwvdisclose.trust.roots import TrustRoots, as_roots, validation_context
from bwvdisclose.trust.timestamps import PYHANKO_LOGGERS, quiet

NO_ROOTS = "no trust roots are configured (give --trust or BWVDISCLOSE_TRUST)"
LTA_UNTRUSTED = "the signer's certificate does not chain to a trusted certificate"


@dataclass(frozen=True)
class PdfCheck:
    """What verify_pdf found. `ok` only when every check passed.

    For a timestamped (B-LTA) record, `signed_at` is the time the signature timestamp
    proves and `archive_times` those of the document timestamps, oldest first.
    """

    signed: bool
    intact: bool
    whole_file: bool
    trusted: bool
    signer: str
    fingerprint: str
    problems: tuple[str, ...]
    signed_at: dt.datetime | None = None
    archive_times: tuple[dt.datetime, ...] = ()
    trust_problem: str = ""  # why the signer is not trusted (not a problem of integrity)

    @property
    def ok(self) -> bool:
        checks = (self.signed, self.intact, self.whole_file, self.trusted)
        return all(checks) and not self.problems


def verify_pdf(
    pdf: bytes, trust: TrustRoots | Sequence[x509.Certificate], at: dt.datetime | None = None
) -> PdfCheck:
    """Check the record's signature: intact, whole file, and trusted under `trust`.

    A record with document timestamps is validated offline at the time they prove
    (`at` moves the validation time, for tests of what a later verifier sees). A seal
    without timestamps (PAdES B-B) is judged at the signing time it states (or `at`).
    Trust asks the non-repudiation key usage pyHanko asks of a signer. Never raises:
    integrity failures are `problems`, a signer not trusted is `trust_problem`.
    """
    with quiet(*PYHANKO_LOGGERS, "asyncio"):
        return _verify(pdf, as_roots(trust), at)


def _verify(pdf: bytes, trust: TrustRoots, at: dt.datetime | None) -> PdfCheck:
    try:
        reader = _reader(pdf)
        signatures = list(reader.embedded_regular_signatures)
        stamps = list(reader.embedded_timestamp_signatures)
    except Exception as exc:  # a damaged file is a failed check, not a crash
        return _failed(f"the file does not parse as a PDF: {_one_line(exc)}")
    if not signatures:
        return _failed("the record carries no signature")
    if len(signatures) > 1:
        return _failed(f"the record carries {len(signatures)} signatures; expected one")
    if any(stamp.signed_revision < signatures[0].signed_revision for stamp in stamps):
        return _failed("a document timestamp comes before the seal", signed=True)
    try:
        if stamps:
            return _check_lta(pdf, signatures[0], stamps, trust, at)
        return _check(pdf, signatures[0], trust, at)
    except Exception as exc:
        return _failed(f"the signature cannot be checked: {_one_line(exc)}", signed=True)


def _check_lta(
    pdf: bytes,
    seal: Any,
    stamps: list[Any],
    trust: TrustRoots,
    at: dt.datetime | None,
) -> PdfCheck:
    from bwvdisclose.trust.ltv import validate_lta

    form = _contents_problems(pdf, seal)
    for stamp in stamps:
        form += _contents_problems(pdf, stamp, timestamp=True)
    if form:
        return _failed(form[0], signed=True)
    form += _certificate_problems(seal, trust)
    lta = validate_lta(seal, stamps, list(trust.certificates), at)
    untrusted = [p for p in lta.problems if p.startswith(LTA_UNTRUSTED)]
    if not trust:
        untrusted = [NO_ROOTS]
    return PdfCheck(
        signed=True,
        intact=lta.intact and not form,
        whole_file=lta.whole_file,
        trusted=lta.trusted and bool(trust),
        signer=lta.signer,
        fingerprint=lta.fingerprint,
        problems=tuple(form) + tuple(p for p in lta.problems if not p.startswith(LTA_UNTRUSTED)),
        signed_at=lta.signed_at,
        archive_times=lta.archive_times,
        trust_problem=untrusted[0] if untrusted else "",
    )


def _check(pdf: bytes, sig: Any, trust: TrustRoots, at: dt.datetime | None = None) -> PdfCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    context = validation_context(trust, at or sig.self_reported_timestamp)
    status = validate_pdf_signature(sig, context)
    problems = _contents_problems(pdf, sig) + _certificate_problems(sig, trust)
    intact = bool(status.intact and status.valid) and not problems
    whole = (
        status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        and status.modification_level == ModificationLevel.NONE
    )
    if not (status.intact and status.valid):
        problems.append("the signed bytes do not match the signature (the file was altered)")
    if not whole:
        problems.append("the signature does not cover the whole file (changed after signing)")
    cert = status.signing_cert
    untrusted = ""
    if not trust:
        untrusted = NO_ROOTS
    elif not status.trusted:
        untrusted = (
            "its certificate does not chain to a trust root, valid at signing time, "
            "with the non-repudiation key usage"
        )
    return PdfCheck(
        signed=True,
        intact=intact,
        whole_file=whole,
        trusted=bool(status.trusted) and bool(trust),
        signer=cert.subject.human_friendly,
        fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
        problems=tuple(problems),
        trust_problem=untrusted,
    )


def _contents_problems(pdf: bytes, sig: Any, *, timestamp: bool = False) -> list[str]:
    """The signature hole must hold exactly the canonical hex of our CMS form and zero padding.

    pyHanko reads hex case-insensitively, parses BER leniently and ignores what
    follows the blob, so a changed byte there would otherwise pass unnoticed.
    """
    from bwvdisclose.record.cms_form import check_cms_form

    start, end = int(sig.byte_range[1]), int(sig.byte_range[2])
    contents: bytes = sig.pkcs7_content
    if pdf[start:end] != b"<" + contents.hex().upper().encode("ascii") + b">":
        return ["the signature value is not stored in canonical form (the file was altered)"]
    try:
        check_cms_form(contents, timestamp=timestamp)
    except ValueError as exc:
        return [f"the signature container was altered: {_one_line(exc)}"]
    return []


def _certificate_problems(sig: Any, trust: TrustRoots) -> list[str]:
    """Each certificate carried in the signature must verify under its issuer where known.

    The signer's own certificate is covered by the signed attributes; a CA certificate
    carried beside it is not, and a validator that takes the root from the trust list
    never reads it. Checking every carried certificate's signature against its issuer
    (itself, for a root) catches a changed byte there too.
    """
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature

    try:
        carried = [
            x509.load_der_x509_certificate(c.chosen.dump()) for c in sig.signed_data["certificates"]
        ]
    except (ValueError, TypeError, KeyError):
        return ["a certificate carried in the signature cannot be read (the file was altered)"]
    issuers = carried + list(trust.certificates)
    for cert in carried:
        for issuer in (i for i in issuers if i.subject == cert.issuer):
            try:
                cert.verify_directly_issued_by(issuer)
                break
            except (ValueError, TypeError, InvalidSignature):
                continue
        else:
            if any(i.subject == cert.issuer for i in issuers) or _altered_copy(cert, issuers):
                subject = cert.subject.rfc4514_string()[:120]
                return [f"the certificate {subject} carried in the signature was altered"]
    return []


def _altered_copy(cert: Any, others: list[Any]) -> bool:
    """`cert` holds the key of another certificate here but not its bytes: a changed copy
    (a byte changed in a carried root's issuer name leaves it with no issuer to check)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def key(c: Any) -> bytes:
        return bytes(c.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))

    mine = key(cert)
    return any(o is not cert and o != cert and key(o) == mine for o in others)


def extract_attachments(pdf: bytes) -> dict[str, bytes]:
    """The embedded files of a record, by name, byte for byte."""
    try:
        reader = _reader(pdf)
        tree = reader.root.get("/Names", {}).get("/EmbeddedFiles")
        pairs = _name_tree(tree.get_object()) if tree is not None else []
        return {
            str(spec.get("/UF", spec.get("/F", key))): spec["/EF"]["/F"].get_object().data
            for key, spec in pairs
        }
    except Exception as exc:
        raise RecordError(f"cannot read the record's attachments: {_one_line(exc)}") from None


def _name_tree(node: Any) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    names = node.get("/Names", [])
    for index in range(0, len(names) - 1, 2):
        pairs.append((str(names[index]), names[index + 1].get_object()))
    for kid in node.get("/Kids", []):
        pairs.extend(_name_tree(kid.get_object()))
    return pairs


def _reader(pdf: bytes) -> Any:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(BytesIO(pdf), strict=True)


def _failed(reason: str, *, signed: bool = False) -> PdfCheck:
    return PdfCheck(
        signed=signed, intact=False, whole_file=False, trusted=False,
        signer="", fingerprint="", problems=(reason,),
    )  # fmt: skip


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
