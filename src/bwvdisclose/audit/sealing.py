"""Seal an audit report as a decision record is sealed, and check a sealed report.

The same trust rules as a record: the sealing key's certificate must chain to a trust
root (`--trust`, BWVDISCLOSE_TRUST) with a key certified for commitment, or no sealed
report is issued; `verify FILE.pdf` checks the PAdES signature over the whole file and
the signer's path to a root with the very checks a record gets (`record.verify`,
`trust.paths`), then the embedded statistics and the SHA-256 printed for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

from bwvdisclose.audit.report import REPORT_FILE, REPORT_KIND
from bwvdisclose.errors import TrustError
from bwvdisclose.record.check import RecordCheck, signature_lines

if TYPE_CHECKING:
    from bwvdisclose.trust.paths import TrustChecker
    from bwvdisclose.trust.roots import TrustRoots
    from bwvdisclose.trust.statement import AnyIdentity

REASON = "BWV disclosure audit report"
FIELD = "AuditReportSignature"  # the signature field: what it seals


def sealer_name(identity: AnyIdentity) -> str:
    """`Name (role)` from the certificate, as it will stand on the report."""
    from bwvdisclose.trust.profile import identity_of

    who = identity_of(identity.certificate)
    return f"{who.name} ({who.role.replace('_', ' ')})"


def require_trusted(identity: AnyIdentity, checker: TrustChecker, at: dt.datetime) -> None:
    """No sealed report from a key whose certificate does not chain to a trust root (exit 3)."""
    trust = checker.check(identity.certificate, at, identity.chain)
    if not trust.trusted:
        raise TrustError(
            f"no sealed report is issued: the sealing key is not trusted: {trust.problem}"
        )


def seal_report(
    pdf: bytes, identity: AnyIdentity, checker: TrustChecker, now: dt.datetime | None = None
) -> bytes:
    """The report sealed with `identity`, whose certificate must chain to a trust root."""
    from bwvdisclose.record.seal import seal_with
    from bwvdisclose.trust.profile import identity_of

    require_trusted(identity, checker, now or dt.datetime.now(dt.UTC))
    name = identity_of(identity.certificate).name
    return seal_with(
        pdf, identity, reason=REASON, location="bwvdisclose", name=name, field_name=FIELD
    )


def is_report(files: dict[str, bytes]) -> bool:
    return REPORT_FILE in files


def check_report(pdf: bytes, trust: TrustRoots) -> RecordCheck:
    """The checks of a sealed audit report, line by line, as `check_record` gives a record's."""
    from bwvdisclose.record.verify import extract_attachments, verify_pdf

    result = RecordCheck()
    sig = verify_pdf(pdf, trust)
    signature_lines(result, sig)
    if not sig.signed or not sig.intact:
        return result
    data = extract_attachments(pdf).get(REPORT_FILE)
    if not result.add(data is not None, f"the report's statistics are embedded ({REPORT_FILE})"):
        return result
    assert data is not None
    try:
        doc = json.loads(data)
        kind_ok = isinstance(doc, dict) and doc.get("kind") == REPORT_KIND
    except ValueError:
        kind_ok, doc = False, {}
    scope = f"{doc.get('scope', '?')}, generated {doc.get('generated', '?')}" if kind_ok else ""
    if not result.add(kind_ok, f"they are a bwvdisclose audit report: {scope}"):
        return result
    _printed_digest(result, pdf, hashlib.sha256(data).hexdigest())
    return result


def _printed_digest(result: RecordCheck, pdf: bytes, digest: str) -> None:
    tool = shutil.which("pdftotext")
    if tool is None:
        result.notes.append("pdftotext not found: the printed SHA-256 was not compared")
        return
    text = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=False).stdout
    printed = re.sub(r"\s+", "", text.decode("utf-8", "replace"))
    result.add(digest in printed, "the SHA-256 printed in the report matches its statistics")
