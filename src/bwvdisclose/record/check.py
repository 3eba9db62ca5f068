"""`verify FILE.pdf`: check a decision record on its own, years later.

The PDF signature, the embedded case log's hash chain ending at the head the record
names, every sign-off signature in that log, the decision maker's key as the PDF's
signer, the embedded policy files against the hash the case recorded, the sign-offs
that policy requires for the outcome decided (present and current), the approval of
that policy, and that the page states the facts the log gives (record/facts.py). Each
signature is checked twice: intact (a failure) and trusted under the configured roots
("not trusted").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509

from bwvdisclose.case import CaseState, Event, SignoffRecordedEvent, fold
from bwvdisclose.case.verify import Head, scan_log
from bwvdisclose.errors import BwvError
from bwvdisclose.policy.load import bundle_sha256, policy_from_files
from bwvdisclose.policy.models import Policy
from bwvdisclose.record.build import EVENTS_FILE, HEAD_KEYWORD, POLICY_FILE, RENDER_FILE
from bwvdisclose.record.facts import page_problems, page_text, quotable, squash
from bwvdisclose.record.html import templates_used
from bwvdisclose.trust.approval import approver, check_decisions
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import TrustRoots, as_roots
from bwvdisclose.trust.signoff import check_signoffs, missing_roles, required_roles, signoff_time

if TYPE_CHECKING:
    from bwvdisclose.record.verify import PdfCheck

HEAD_RE = re.compile(re.escape(HEAD_KEYWORD) + r"([0-9a-f]{64})")


@dataclass
class RecordCheck:
    """Each check as a line: passed or failed, and what it was; and what is not trusted."""

    lines: list[tuple[bool, str]] = field(default_factory=list)
    untrusted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, ok: bool, text: str) -> bool:
        self.lines.append((ok, text))
        return ok

    @property
    def intact(self) -> bool:
        """Every check of integrity passed (trust aside)."""
        return bool(self.lines) and all(ok for ok, _ in self.lines)

    @property
    def ok(self) -> bool:
        """Intact and trusted: the only result that is "verified"."""
        return self.intact and not self.untrusted


def check_record(
    pdf: bytes, trust: TrustRoots | Sequence[x509.Certificate], at: dt.datetime | None = None
) -> RecordCheck:
    """Every check of a record; `at` moves the validation time (tests of later verifiers)."""
    from bwvdisclose.record.verify import extract_attachments, verify_pdf

    trust = as_roots(trust)
    result = RecordCheck()
    sig = verify_pdf(pdf, trust, at)
    _signature_lines(result, sig)
    if not sig.signed or not sig.intact:
        return result
    files = extract_attachments(pdf)
    head = _claimed_head(pdf)
    if not result.add(head is not None, "the record names the log head it covers"):
        return result
    assert head is not None
    log = files.get(EVENTS_FILE)
    if not result.add(log is not None, f"the case log is embedded ({EVENTS_FILE})"):
        return result
    assert log is not None
    events = _log_lines(result, log, head)
    if events is None:
        return result
    state = fold(events)
    checker = TrustChecker(trust)
    _signoff_lines(result, events, state, sig.fingerprint, checker)
    policy = _policy_lines(result, files.get(POLICY_FILE), state)
    if policy is not None:
        _required_signoff_lines(result, state, policy)
    _approval_lines(result, events, state, checker)
    if RENDER_FILE in files:
        _page_lines(result, pdf, state, _quotable(events, files.get(POLICY_FILE)))
        _template_notes(result, files.get(RENDER_FILE))
    else:
        _earlier_page_lines(result, pdf, head)
    return result


def _signature_lines(result: RecordCheck, sig: PdfCheck) -> None:
    result.add(sig.signed, "the PDF carries a signature")
    result.add(
        sig.intact and sig.whole_file, "the PDF signature is valid and covers the whole file"
    )
    for problem in sig.problems:
        result.add(False, problem)
    if not sig.signed or not sig.intact:
        return
    name = re.search(r"Common Name: ([^,]+)", sig.signer)
    who = name.group(1) if name else sig.signer
    if sig.trusted:
        result.add(True, f"the PDF's signer ({who}) chains to a trust root")
    else:
        result.untrusted.append(f"the PDF seal by {who} is not trusted: {sig.trust_problem}")
    _timestamp_lines(result, sig)


def _timestamp_lines(result: RecordCheck, sig: PdfCheck) -> None:
    """When the timestamps say the record was sealed, and until when it is archived."""
    if not sig.archive_times:
        result.notes.append(
            "not timestamped: the seal's time is the signer's own clock, and its certificate "
            "is judged at that time"
        )
        return
    if sig.signed_at is not None:
        result.add(
            True,
            f"the seal's timestamp proves it was signed by {_utc(sig.signed_at)}; "
            "certificates and revocation are judged at that time, offline",
        )
    count = len(sig.archive_times)
    result.add(
        True,
        f"{count} archive timestamp{'s' if count > 1 else ''} (PAdES B-LTA), the latest at "
        f"{_utc(sig.archive_times[-1])}",
    )


def _utc(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


def _claimed_head(pdf: bytes) -> str | None:
    """The head named in the document's keywords (set by the record's template)."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        info = PdfFileReader(BytesIO(pdf), strict=False).trailer_view["/Info"]
        found = HEAD_RE.findall(str(info.get("/Keywords", "")))
    except Exception:  # a damaged file: the head is simply not found
        return None
    return found[0] if len(found) == 1 else None


def _log_lines(result: RecordCheck, log: bytes, head: str) -> list[Event] | None:
    try:
        first = json.loads(log.split(b"\n", 1)[0] or b"{}")
    except ValueError:  # not JSON (or not UTF-8): the chain check below names it
        first = {}
    case_id = str(first.get("case_id", "")) if isinstance(first, dict) else ""
    count = log.count(b"\n")
    scan = scan_log(case_id, log, Head(seq=count, hash=head).to_bytes())
    v = scan.verification
    text = f"the embedded log's hash chain is intact ({v.events} events of case {case_id or '?'})"
    if not result.add(v.ok, text if v.ok else f"embedded log: event {v.bad_seq}: {v.problem}"):
        return None
    result.add(v.head == head, f"the embedded log ends at the head the record names ({head[:16]}…)")
    return list(scan.events)


def _signoff_lines(
    result: RecordCheck,
    events: list[Event],
    state: CaseState,
    pdf_signer: str,
    checker: TrustChecker,
) -> None:
    signoffs = [e for e in events if isinstance(e, SignoffRecordedEvent)]
    result.add(bool(signoffs), "the log holds sign-offs")
    findings = list(check_signoffs(events, checker))
    for s in signoffs:
        mine = [f for f in findings if f.text.startswith(f"event {s.seq}:")]
        broken = [f.text for f in mine if f.kind == "broken"]
        for text in broken:
            result.add(False, text)
        if not broken:
            result.add(
                True,
                f"sign-off by {s.signer.name} as {s.role}: signed statement over head "
                f"{s.head[:16]}… valid",
            )
        untrusted = [f.text for f in mine if f.kind == "untrusted"]
        result.untrusted += untrusted
        when = signoff_time(s, checker) if not (broken or untrusted) else None
        if when is not None:
            result.add(
                True,
                f"the sign-off by {s.signer.name} is timestamped at {_utc(when)}; its "
                "certificate was valid and not revoked then (revocation data kept at signing)",
            )
    maker = [s for s in state.current_signoffs() if s.role == "decision_maker"]
    result.add(
        bool(maker) and maker[-1].fingerprint == pdf_signer,
        "the PDF is signed with the decision maker's certificate",
    )


def _policy_lines(result: RecordCheck, bundle: bytes | None, state: CaseState) -> Policy | None:
    """The embedded policy files hash to the policy the case used; that policy, loaded."""
    if not result.add(bundle is not None, f"the policy files are embedded ({POLICY_FILE})"):
        return None
    assert bundle is not None
    try:
        files = json.loads(bundle)["files"]
        sha = bundle_sha256(files)
    except (ValueError, KeyError, TypeError, AttributeError):
        result.add(False, f"the embedded policy files ({POLICY_FILE}) cannot be read")
        return None
    used = state.recommendation_policy
    matches = result.add(
        used is not None and sha == used.sha256,
        f"the embedded policy files hash to the policy the case used "
        f"({used.sha256[:16] if used else '?'}…)",
    )
    if not matches:
        return None
    try:
        return policy_from_files(files, f"the embedded {POLICY_FILE}")
    except BwvError as exc:
        result.add(False, f"the embedded policy cannot be loaded: {exc}")
        return None


def _required_signoff_lines(result: RecordCheck, state: CaseState, policy: Policy) -> None:
    """Every role the policy requires for the outcome decided signed off on that decision.

    The same rule as `sign` and `record` apply (trust/signoff.missing_roles): a sign-off
    given before the latest answer, recommendation or decision is stale and does not count.
    """
    missing = missing_roles(state, policy)
    decision = state.decision
    if decision is None or missing == ["decision"]:
        result.add(False, "the log holds a decision that stands (none after the latest change)")
        return
    required = ", ".join(required_roles(policy, decision.outcome))
    if not missing:
        result.add(
            True,
            f"the policy requires sign-offs by {required} for {decision.outcome}; "
            "each is present and current",
        )
        return
    stale = [r for r in missing if any(s.role == r for s in state.stale_signoffs())]
    why = f" ({', '.join(stale)} only stale: signed before a later change)" if stale else ""
    result.add(
        False,
        f"the policy requires sign-offs by {required} for {decision.outcome}; "
        f"missing: {', '.join(missing)}{why}",
    )


def _approval_lines(
    result: RecordCheck, events: list[Event], state: CaseState, checker: TrustChecker
) -> None:
    decision = state.decision
    if decision is None:
        return
    findings = [
        f for f in check_decisions(events, checker) if f.text.startswith(f"event {decision.seq}:")
    ]
    for f in findings:
        if f.kind == "broken":
            result.add(False, f.text)
        else:
            result.untrusted.append(f.text)
    if not findings and decision.approval is not None:
        result.add(True, f"the policy was approved by {approver(decision.approval)}")


def _page_lines(result: RecordCheck, pdf: bytes, state: CaseState, quoted: list[str]) -> None:
    """The page states the facts the embedded log gives (record/facts.py), and no other decision."""
    text = page_text(pdf)
    if text is None:
        result.notes.append("pdftotext not found: the page was not compared with the log")
        return
    problems = page_problems(text, state, quoted)
    for problem in problems:
        result.add(False, problem)
    if not problems:
        result.add(
            True,
            "the page states the case, the decision, who decided, the current sign-offs and "
            "the log head as the embedded log gives them",
        )


def _earlier_page_lines(result: RecordCheck, pdf: bytes, head: str) -> None:
    """A record made before records carried their render file and block of facts (still
    evidence years on): its page is checked as it was then, for the head it prints, and
    the verdict says the rest was not compared."""
    text = page_text(pdf)
    if text is None:
        result.notes.append("pdftotext not found: the page was not compared with the log")
        return
    result.add(head in squash(text), "the head printed in the record matches the embedded log")
    result.notes.append(
        f"made before records carried a block of facts ({RENDER_FILE} is not embedded): the "
        "page's wording of the decision and sign-offs was not compared with the log"
    )


def _quotable(events: list[Event], bundle: bytes | None) -> list[str]:
    files: list[str] = []
    with contextlib.suppress(ValueError, AttributeError):  # unreadable: failed above already
        files = [str(v) for v in json.loads(bundle or b"{}").get("files", {}).values()]
    return quotable(events, files)


def _template_notes(result: RecordCheck, render: bytes | None) -> None:
    """Which templates rendered the record, as the record says (a note, never a failure)."""
    try:
        info = json.loads(render or b"null")
        sha, custom = str(info["templates_sha256"]), info["custom_templates"]
        version = str(info.get("version", "?"))
    except (ValueError, KeyError, TypeError, AttributeError):
        result.notes.append("the record does not say which templates rendered its page")
        return
    if custom is True:
        result.notes.append(
            f"rendered from templates other than the shipped ones (SHA-256 {sha[:16]}…, "
            "set with BWVDISCLOSE_TEMPLATES): the facts above are checked; the rest of the "
            "page's wording is the force's own"
        )
    elif sha == templates_used(override=False).sha256:
        result.notes.append(f"rendered from this version's shipped templates (SHA-256 {sha[:16]}…)")
    else:
        result.notes.append(
            f"rendered from the templates shipped with bwvdisclose {version} (SHA-256 "
            f"{sha[:16]}…), not this version's"
        )


# The lines about the PDF signature alone (signed, intact, whole file, signer trusted,
# timestamps): a sealed audit report is checked with the very same lines.
signature_lines = _signature_lines
