"""What the decision record shows: a plain view model built from the case and the policy.

The template reads only this dict; nothing here renders or writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bwvdisclose import __version__
from bwvdisclose.case import (
    AnswerChangedEvent,
    CaseState,
    DecisionRecordedEvent,
    DisclosureRecordedEvent,
    Event,
    WithdrawalRecordedEvent,
)
from bwvdisclose.checklist import applicable
from bwvdisclose.explain import OUTCOME_TEXT, show_answer, show_value
from bwvdisclose.policy.models import Policy
from bwvdisclose.recommendation import Flip, Recommendation, TraceItem
from bwvdisclose.trust.approval import approver
from bwvdisclose.trust.keys import load_cert_pem
from bwvdisclose.trust.profile import TEST_ORG
from bwvdisclose.trust.signoff import ROLE_TEXT, required_roles

OPTIONS = (
    ("publish", "Publish the footage"),
    ("publish_with_redactions", "Publish with redactions"),
    ("context_statement", "Context statement without footage"),
    ("do_not_publish", "Do not publish"),
)


def when(value: dt.datetime) -> str:
    return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


def record_context(
    state: CaseState,
    events: list[Event],
    policy: Policy,
    rec: Recommendation,
    flips: list[Flip],
    attachments: list[dict[str, Any]],
    rendered_at: dt.datetime,
) -> dict[str, Any]:
    i = state.intake
    d = state.decision
    return {
        "case": {
            "id": state.case_id,
            "incident_ref": i.incident_ref,
            "occurred": when(i.occurred),
            "location": i.location,
            "clips": i.clips,
            "notes": i.notes,
            "opened_at": when(i.opened_at),
            "opened_by": f"{i.opened_by.name} ({i.opened_by.role}, {i.opened_by.number})",
        },
        "policy": {
            "id": policy.id,
            "version": policy.version,
            "sha256": policy.sha256,
            "title": policy.title,
            "effective": policy.effective.isoformat(),
            "approval": _approval(state),
        },
        "recommendation": _recommendation(rec),
        "decision": None
        if d is None
        else {
            "outcome_text": OUTCOME_TEXT[d.outcome].capitalize(),
            "departure": d.departure,
            "rationale": d.rationale,
            "by": f"{d.actor.name} ({d.actor.role}, {d.actor.number})",
            "at": when(d.at),
            "review_by": d.review_by or "",
        },
        "condition_actions": _condition_actions(rec, d),
        "referrals": _referrals(rec, state),
        "signoffs": _signoffs(state),
        "required_roles": [ROLE_TEXT[r] for r in required_roles(policy, d.outcome)] if d else [],
        "sections": _sections(state, policy),
        "exceptions": [_exception(t) for t in rec.items("exception")],
        "options": _options(rec, d.outcome if d else None),
        "flips": [_flip(f) for f in flips],
        "history": [_history(e) for e in events],
        "integrity": {
            "head": state.head,
            "last_seq": state.last_seq,
            "attachments": attachments,
            "rendered_at": when(rendered_at),
            "tool_version": __version__,
        },
    }


def _recommendation(rec: Recommendation) -> dict[str, Any]:
    titles = {(t.kind, t.id): t.title for t in rec.trace}
    return {
        "outcome_text": OUTCOME_TEXT[rec.outcome].capitalize(),
        "exceptions_met": rec.exceptions_met,
        "blocked_by": rec.blocked_by,
        "conditions": [{"id": c, "title": titles[("condition", c)]} for c in rec.conditions],
        "redactions": [{"id": r, "title": titles[("redaction", r)]} for r in rec.redactions],
    }


def _condition_actions(
    rec: Recommendation, d: DecisionRecordedEvent | None
) -> list[dict[str, Any]]:
    """Each condition of the decision (before one, the recommendation's): clauses, what was done.

    A decision logged before notes were asked has none; its conditions are the
    recommendation's when it follows it, and none are known when it departs.
    """
    notes = (d.condition_notes or {}) if d else {}
    items = {t.id: t for t in rec.items("condition")}
    if d is None or (d.condition_notes is None and d.outcome == rec.outcome):
        ids = list(rec.conditions)
    else:
        ids = list(notes)
    rows = []
    for cid in ids:
        item = items.get(cid)
        rows.append(
            {
                "id": cid,
                "title": item.title if item else cid,
                "clauses": list(zip(item.cites, item.clauses, strict=True)) if item else [],
                "done": notes.get(cid, ""),
            }
        )
    return rows


def _referrals(rec: Recommendation, state: CaseState) -> list[dict[str, str]]:
    return [
        {"id": t.id, "title": t.title, "advice": t.advice or "pending"}
        for t in rec.items("referral")
        if t.held
    ]


def _signoffs(state: CaseState) -> list[dict[str, Any]]:
    rows = []
    for s in state.signoffs:
        subject = load_cert_pem(s.certificate).subject
        rows.append(
            {
                "role_text": ROLE_TEXT[s.role],
                "name": s.signer.name,
                "rank": s.signer.rank,
                "number": s.signer.number,
                "at": when(s.at),
                "head": s.head,
                "fingerprint": s.fingerprint,
                "stale": not state.is_current(s),
                "test_only": any(TEST_ORG in str(a.value) for a in subject),
            }
        )
    return rows


def _approval(state: CaseState) -> dict[str, str] | None:
    approval = state.decision.approval if state.decision else None
    if approval is None:
        return None
    return {
        "by": approver(approval),
        "at": approval.approved_at,
        "fingerprint": approval.fingerprint,
    }


def _sections(state: CaseState, policy: Policy) -> list[dict[str, Any]]:
    values = {k: a.value for k, a in state.answers.items()}
    live = {q.id for q in applicable(policy, values)}
    sections = []
    for s in policy.sections:
        rows = []
        for q in s.questions:
            a = state.answers.get(q.id)
            if a is None and q.id not in live:
                continue
            rows.append(
                {
                    "id": q.id,
                    "prompt": q.prompt,
                    "cites": q.cites,
                    "answer": show_answer(q, a.value) if a else "(unanswered)",
                    "rationale": a.rationale if a else "",
                    "by": f"{a.by.name} ({a.by.number})" if a else "",
                    "at": when(a.at) if a else "",
                    "applicable": q.id in live,
                }
            )
        if not rows:
            continue
        sections.append(
            {
                "title": s.title,
                "intro": s.intro,
                "group": s.record_part,
                "clauses": [(k, policy.sources[k].clause) for k in s.cites],
                "questions": rows,
            }
        )
    return sections


def _exception(t: TraceItem) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "held": bool(t.held),
        "held_text": "Met" if t.held else "Not met",
        "because": ", ".join(f"{a.id} = {show_value(a.value)}" for a in t.answers),
        "clauses": list(zip(t.cites, t.clauses, strict=True)),
    }


def _options(rec: Recommendation, decided: str | None) -> list[dict[str, Any]]:
    out = []
    for key, title in OPTIONS:
        chosen = key == decided or (key == "context_statement" and _context_chosen(rec, decided))
        out.append({"title": title, "chosen": chosen, "why": _why(rec, key)})
    return out


def _context_chosen(rec: Recommendation, decided: str | None) -> bool:
    return decided == "do_not_publish" and "consider_context_statement" in rec.conditions


def _why(rec: Recommendation, key: str) -> str:
    o = rec.outcome
    met = ", ".join(rec.exceptions_met)
    if key == "context_statement":
        return _context_why(rec)
    if key == o:
        return f"Recommended by the policy ({_decided_by(rec)})."
    if key == "publish" and o == "publish_with_redactions":
        return (
            f"Not without masking: personal data must be protected ({', '.join(rec.redactions)})."
        )
    if key == "publish_with_redactions" and o == "publish":
        return "Not needed: no personal data recorded as needing protection."
    if key == "do_not_publish":
        return f"Not recommended: exception(s) met ({met}) and nothing blocks release."
    if rec.blocked_by:
        return f"Blocked by {', '.join(rec.blocked_by)}."
    return "Not available: no exception to the default of not publishing is met (MEMO-DEFAULT)."


def _context_why(rec: Recommendation) -> str:
    if "consider_context_statement" in rec.conditions:
        return (
            "Recommended alongside not publishing: there is community concern "
            "or viral comment (MEMO-DEFAULT, MEMO-AMPLIFY)."
        )
    if rec.outcome in ("publish", "publish_with_redactions"):
        return (
            f"Not on its own: an exception is met ({', '.join(rec.exceptions_met)}), so the "
            "footage itself can be released; a statement can accompany it."
        )
    if rec.blocked_by:
        return f"Not indicated by the policy: release is blocked by {', '.join(rec.blocked_by)}."
    return "Not indicated: no community concern or viral comment recorded."


def _decided_by(rec: Recommendation) -> str:
    step = next((t for t in rec.items("step") if t.held), None)
    if step is not None:
        return f"{step.title}; {', '.join(step.cites)}"
    return "referral advice"


def _flip(f: Flip) -> str:
    parts = [f"{c.id}: {show_value(c.before)} → {show_value(c.after)}" for c in f.changes]
    return f"{' and '.join(parts)} would give {OUTCOME_TEXT[f.outcome].lower()}"


def _history(e: Event) -> dict[str, Any]:
    who = f"{e.actor.name} ({e.actor.number})"
    detail = _detail(e)
    return {
        "seq": e.seq,
        "at": f"{e.at:%Y-%m-%d %H:%M:%S}",
        "who": who,
        "what": e.type.replace("_", " "),
        "detail": detail,
    }


def _detail(e: Event) -> str:
    if isinstance(e, AnswerChangedEvent):
        text = f"{e.question}: {show_value(e.previous)} → {show_value(e.value)}; reason: {e.reason}"
        return text + (f"; rationale: {e.rationale}" if e.rationale else "")
    kind = e.type
    if kind == "answer_recorded":
        return f"{e.question}: {show_value(e.value)}" + (f"; {e.rationale}" if e.rationale else "")  # type: ignore[union-attr]
    if kind == "recommendation_computed":
        return f"recommended {e.recommendation['outcome']}"  # type: ignore[union-attr]
    if isinstance(e, DecisionRecordedEvent):
        dep = " (departure)" if e.departure else ""
        review = f"; review by {e.review_by}" if e.review_by else ""
        notes = "".join(f"; {c}: {n}" for c, n in (e.condition_notes or {}).items())
        return f"decided {e.outcome}{dep}: {e.rationale}{review}{notes}"
    if isinstance(e, DisclosureRecordedEvent):
        url = f" ({e.url})" if e.url else ""
        return f"released {e.released_at:%Y-%m-%d %H:%M} UTC to {e.to}{url}"
    if isinstance(e, WithdrawalRecordedEvent):
        return f"withdrew release(s) {', '.join(map(str, e.releases))}: {e.reason}"
    if kind == "signoff_recorded":
        return f"signed as {e.role} over {e.head[:16]}…"  # type: ignore[union-attr]
    if kind == "record_rendered":
        return f"record {e.file} (sha256 {e.sha256[:16]}…)"  # type: ignore[union-attr]
    return f"case opened: {e.incident_ref}"  # type: ignore[union-attr]
