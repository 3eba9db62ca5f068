"""Render, seal and file a case's decision record; log that it was rendered.

The record is a PDF/A-3a rendered from templates, carrying the case log and the
policy files as associated files, signed (PAdES) by the decision maker's key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from bwvdisclose import __version__
from bwvdisclose.case import CaseState, Event, RecordRendered, fold
from bwvdisclose.caseview import case_view
from bwvdisclose.datafile import MAX_BYTES
from bwvdisclose.errors import PolicyError, RecordError, TrustError
from bwvdisclose.inputfile import read_input
from bwvdisclose.policy.load import policy_bundle, policy_files
from bwvdisclose.policy.models import Policy, PolicyRef
from bwvdisclose.record.context import record_context
from bwvdisclose.record.facts import END, TITLE, page_facts, page_problems, page_text, quotable
from bwvdisclose.record.html import TemplatesUsed, render_html, templates_dir, templates_used
from bwvdisclose.record.pdf import Attachment
from bwvdisclose.store import CaseStore
from bwvdisclose.store.files import write_new
from bwvdisclose.trust.approval import check_decisions
from bwvdisclose.trust.keys import cert_fingerprint
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.signoff import check_recordable, check_signoffs, refuse_stale
from bwvdisclose.trust.statement import AnyIdentity
from bwvdisclose.trust.tsa import LtvSettings

EVENTS_FILE = "case-events.jsonl"
POLICY_FILE = "policy-files.json"
RENDER_FILE = "record-render.json"  # the tool and the templates that rendered the record
HEAD_KEYWORD = "bwvdisclose-head:"


@dataclass(frozen=True)
class Rendered:
    path: str  # a file, or where the store keeps it (a database store names itself)
    sha256: str
    size: int
    head: str


def record_html(
    state: CaseState,
    events: list[Event],
    policy: Policy,
    attachments: list[Attachment],
    now: dt.datetime,
) -> str:
    """The record as HTML: what a reviewer reads (and what the snapshots keep)."""
    view = case_view(state, policy)
    listed = [
        {"name": a.name, "size": len(a.data), "sha256": hashlib.sha256(a.data).hexdigest()}
        for a in attachments
    ]
    context = record_context(view, events, listed, now)
    # Markup: read back by `verify`, so never given break opportunities (hex and a case ID).
    context["keywords"] = Markup(escape(f"{HEAD_KEYWORD}{state.head}, case:{state.case_id}"))
    # The facts `verify` holds the page to (record/facts.py), each line exactly as computed.
    lines = [Markup(escape(line)) for line in page_facts(state)]
    context["facts"] = {"title": TITLE, "lines": lines, "end": END}
    return render_html("record.html.j2", context)


def attachments_for(
    log: bytes, policy_folder: Path, templates: TemplatesUsed | None = None
) -> list[Attachment]:
    bundle = json.dumps(policy_bundle(policy_folder), indent=1, sort_keys=True, ensure_ascii=False)
    templates = templates or templates_used()
    render = {
        "tool": "bwvdisclose",
        "version": __version__,
        "templates_sha256": templates.sha256,
        "custom_templates": templates.custom,
    }
    return [
        Attachment(
            EVENTS_FILE,
            log,
            "application/x-ndjson",
            "The case's event log (JSON Lines) this record covers",
        ),
        Attachment(
            POLICY_FILE,
            bundle.encode("utf-8"),
            "application/json",
            "The policy files used, with their SHA-256",
        ),
        Attachment(
            RENDER_FILE,
            json.dumps(render, indent=1, sort_keys=True).encode("utf-8"),
            "application/json",
            "The tool version and the SHA-256 of the templates that rendered this record",
        ),
    ]


def check_ready(state: CaseState, policy: Policy, identity: AnyIdentity) -> None:
    """Refuse a record before the decision is made and signed, or with another key."""
    refuse_stale(state, policy, "recorded")
    maker = check_recordable(state, policy)
    used = state.recommendation_policy
    if used != PolicyRef.of(policy):
        named = f"{used.id} {used.version} (sha256 {used.sha256[:12]})" if used else "no policy"
        raise RecordError(
            f"case {state.case_id} was assessed under {named}; the loaded policy is "
            f"{policy.id} {policy.version} (sha256 {policy.sha256[:12]}): use --criteria"
        )
    if cert_fingerprint(identity.certificate) != maker.fingerprint:
        raise RecordError(
            f"the record is signed by the decision maker ({maker.signer.name}); "
            "this key is someone else's"
        )


def check_trusted(events: list[Event], identity: AnyIdentity, checker: TrustChecker) -> None:
    """Issue no record over a broken or untrusted sign-off, approval or sealing key."""
    findings = [*check_signoffs(events, checker), *check_decisions(events, checker)]
    broken = [f.text for f in findings if f.kind == "broken"]
    if broken:
        raise RecordError(f"no record is issued: {broken[0]}")
    if findings:
        raise TrustError(f"no record is issued: {findings[0].text}")
    now = dt.datetime.now(dt.UTC)
    trust = checker.check(identity.certificate, now, identity.chain, "decision_maker")
    if not trust.trusted:
        raise TrustError(f"no record is issued: the sealing key is not trusted: {trust.problem}")


def check_page(pdf: bytes, state: CaseState, events: list[Event], policy_folder: Path) -> None:
    """Issue no record whose page misses or contradicts the facts of its log (own templates)."""
    text = page_text(pdf)
    if text is None:
        return  # without pdftotext the page cannot be read back; `verify` says so too
    files = [
        read_input(f, "policy file", MAX_BYTES, PolicyError).decode("utf-8")
        for f in policy_files(policy_folder)
    ]
    problems = page_problems(text, state, quotable(events, files))
    if problems:
        raise RecordError(
            f"no record is issued: the page rendered from the templates does not state what "
            f"the case log says: {'; '.join(problems)}"
        )


def render_record(
    store: CaseStore,
    case_id: str,
    policy: Policy,
    policy_folder: Path,
    identity: AnyIdentity,
    out: Path | None,
    checker: TrustChecker,
    ltv: LtvSettings | None = None,
) -> Rendered:
    """Render, seal, write (atomically, 0600) and log the record; return where it is."""
    from bwvdisclose.record.pdf import render_pdf
    from bwvdisclose.record.seal import seal_with

    verdict, events = store.verify_and_read(case_id)
    if not verdict.ok:
        raise RecordError(
            f"case {case_id} fails verification ({verdict.problem}); no record is issued"
        )
    state = fold(events)
    check_ready(state, policy, identity)
    check_trusted(list(events), identity, checker)
    if ltv is not None:  # a revoked or unknown signer is refused before the slow render
        from bwvdisclose.trust.archive import preflight

        preflight(identity.certificate, identity.chain, ltv)
    log = store.log_bytes(case_id, len(events))
    templates = templates_used()
    attachments = attachments_for(log, policy_folder, templates)
    now = dt.datetime.now(dt.UTC)
    html = record_html(state, events, policy, attachments, now)
    title = f"BWV disclosure decision record {case_id}"
    pdf = render_pdf(html, templates_dir(), attachments, title, created=now)
    check_page(pdf, state, list(events), policy_folder)
    maker = next(s for s in state.current_signoffs() if s.role == "decision_maker")
    reason = f"Decision record for {case_id}"
    sealed = seal_with(
        pdf, identity, reason=reason, location="bwvdisclose", name=maker.signer.name, ltv=ltv
    )
    digest = hashlib.sha256(sealed).hexdigest()

    def build(now_events: Sequence[Event], name: str) -> RecordRendered:
        if not now_events or now_events[-1].hash != state.head:
            raise RecordError(
                f"case {case_id} changed while its record was being made; no record is issued: "
                "run `bwvdisclose record` again"
            )
        return RecordRendered(
            file=name,
            sha256=digest,
            size=len(sealed),
            head=state.head,
            templates_sha256=templates.sha256,
            custom_templates=templates.custom,
        )

    filed = store.file_record(case_id, maker.actor, sealed, build)
    if out is not None:
        try:
            write_new(out, sealed)
        except FileExistsError:
            raise RecordError(
                f"{out} already exists; the record is filed as {filed.name}, not written there"
            ) from None
    path = str(out) if out is not None else store.record_location(case_id, filed.name)
    return Rendered(path, digest, len(sealed), state.head)
