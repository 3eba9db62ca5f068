"""Offline validation of a B-LTA record at the time its timestamps prove.

pyHanko's AdES LTA validation (ETSI EN 319 102-1, 5.6.3) with revocation data taken
only from the record (its DSS and the signature), never fetched: the chain of document
timestamps is the evidence record, each proving what existed before it, so a signer
revoked or expired after the signature timestamp still validates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from bwvdisclose.trust.revocation import asn1


@dataclass(frozen=True)
class LtaStatus:
    """What the offline LTA validation found about the seal and the document timestamps."""

    intact: bool
    whole_file: bool
    trusted: bool
    signer: str
    fingerprint: str
    signed_at: dt.datetime | None
    archive_times: tuple[dt.datetime, ...]
    problems: tuple[str, ...]


def validate_lta(
    seal: Any,
    stamps: Sequence[Any],
    trust: Sequence[x509.Certificate],
    at: dt.datetime | None = None,
) -> LtaStatus:
    """Validate `seal` (pyHanko EmbeddedPdfSignature) and its document timestamps."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

    cert = seal.signer_cert
    signer, fingerprint = cert.subject.human_friendly, hashlib.sha256(cert.dump()).hexdigest()
    stamp_states = [_stamp_integrity(stamp, trust) for stamp in stamps]
    if not all(ok for ok, _ in stamp_states):  # altered: no need for the slow AdES run
        return LtaStatus(
            intact=False, whole_file=False, trusted=False, signer=signer,
            fingerprint=fingerprint, signed_at=None, archive_times=(),
            problems=("a document timestamp does not match the bytes it covers (altered)",),
        )  # fmt: skip
    timing = None
    if at is not None:
        timing = ValidationTimingInfo(
            validation_time=at, best_signature_time=at, point_in_time_validation=False
        )
    result = asyncio.run(ades_lta_validation(seal, _spec(trust), timing_info=timing))
    status = result.api_status
    problems: list[str] = []
    intact = bool(status is not None and status.intact and status.valid)
    if not intact:
        problems.append("the signed bytes do not match the signature (the file was altered)")
    lta_changes = status is not None and status.modification_level in (
        ModificationLevel.NONE,
        ModificationLevel.LTA_UPDATES,
    )
    whole = lta_changes and stamp_states[-1][1] == SignatureCoverageLevel.ENTIRE_FILE
    if not whole:
        problems.append(
            "the signature and its timestamps do not cover the whole file (changed after signing)"
        )
    trusted = str(result.ades_subindic) == "AdESPassed.OK"
    if not trusted:
        reason = result.failure_msg or str(result.ades_subindic)
        problems.append(
            "the signer's certificate does not chain to a trusted certificate, valid and not "
            f"revoked at the time the timestamps prove ({_short(reason)})"
        )
    ts = status.timestamp_validity if status is not None else None
    return LtaStatus(
        intact=intact,
        whole_file=whole,
        trusted=trusted,
        signer=signer,
        fingerprint=fingerprint,
        signed_at=ts.timestamp if ts is not None else None,
        archive_times=tuple(_stamp_time(stamp) for stamp in stamps),
        problems=tuple(problems),
    )


def _spec(trust: Sequence[x509.Certificate]) -> Any:
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    required = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[asn1(c) for c in trust]),
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=required, intermediate_ca_cert_rule=required
            )
        ),
    )
    gathering = RevocationInfoGatheringSpec(
        online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(cert_validation_policy=policy, revinfo_gathering_policy=gathering)
    )


def _stamp_integrity(stamp: Any, trust: Sequence[x509.Certificate]) -> tuple[bool, Any]:
    """(intact, coverage) of one document timestamp; its trust is the LTA validation's job."""
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[asn1(c) for c in trust], allow_fetching=False)
    try:
        status = validate_pdf_timestamp(stamp, validation_context=context)
    except Exception:  # a damaged token is a failed check
        return False, None
    return bool(status.intact and status.valid), status.coverage


def _stamp_time(stamp: Any) -> dt.datetime:
    """The time the TSA put in a document timestamp's token."""
    tst_info = stamp.signed_data["encap_content_info"]["content"].parsed
    when: dt.datetime = tst_info["gen_time"].native
    return when


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:197] + "..."
