"""What the decision record shows: a plain view model built from the case view.

The template reads only this dict; nothing here renders, writes or evaluates: the
recommendation, what would change it and what goes with the outcome decided all come
from the one `CaseView` that `show` and its JSON use too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from bwvdisclose import __version__
from bwvdisclose.case import (
    AnswerChangedEvent,
    CaseState,
    DecisionRecordedEvent,
    DisclosureRecordedEvent,
    Event,
    FootageFingerprintedEvent,
    WithdrawalRecordedEvent,
)
from bwvdisclose.cases import COURSES
from bwvdisclose.caseview import CaseView
from bwvdisclose.checklist import applicable
from bwvdisclose.explain import OUTCOME_TEXT, flip_text, referral_status, show_answer, show_value
from bwvdisclose.localtime import uk_time
from bwvdisclose.policy.models import Policy
from bwvdisclose.recommendation import Recommendation, TraceItem
from bwvdisclose.trust.approval import approver
from bwvdisclose.trust.keys import load_cert_pem
from bwvdisclose.trust.profile import TEST_ORG
from bwvdisclose.trust.signoff import ROLE_TEXT

OPTIONS = (
    ("publish", "publish", "Publish the footage"),
    ("publish_with_redactions", "publish_with_redactions", "Publish with redactions"),
    ("context_statement", "do_not_publish", COURSES["context_statement"][1]),
    ("do_not_publish", "do_not_publish", "Do not publish"),
)
HISTORY_EDGE = 60  # events shown in full at each end of a long history; the rest summarised
ECHO = 300  # characters of a text repeated on the page (history, reasons); the full text is
# shown once, with the answer, and is always in the embedded log


ANSWERED = "with the answer in sections 1 to 3"
IN_LOG = "in the embedded case log"


def clip(text: str, where: str) -> str:
    """`text`, or its first ECHO characters and where the rest is to be read."""
    return text if len(text) <= ECHO else f"{text[:ECHO]}… (in full {where})"


def when(value: dt.datetime) -> str:
    return uk_time(value, seconds=True)


def record_context(
    view: CaseView,
    events: list[Event],
    attachments: list[dict[str, Any]],
    rendered_at: dt.datetime,
) -> dict[str, Any]:
    state, policy, rec = view.state, view.policy, view.recommendation
    return {
        "case": _case(state),
        "policy": {
            "id": policy.id,
            "version": policy.version,
            "sha256": policy.sha256,
            "title": policy.title,
            "effective": policy.effective.isoformat(),
            "approval": _approval(state),
        },
        "recommendation": _recommendation(policy, rec),
        "decision": _decision(view),
        "condition_actions": _condition_actions(rec, state.decision),
        "also": _also(policy, rec),
        "referrals": _referrals(policy, rec),
        "signoffs": _signoffs(state),
        "required_roles": [ROLE_TEXT[r] for r in view.required_roles],
        "sections": _sections(state, policy),
        "exceptions": [_rule(t) for t in rec.items("exception")],
        "options": _options(view),
        "flips": [flip_text(f, "→") for f in view.flips],
        "history": _history(events),
        "integrity": {
            "head": state.head,
            "last_seq": state.last_seq,
            "attachments": attachments,
            "rendered_at": when(rendered_at),
            "tool_version": __version__,
        },
    }


def _case(state: CaseState) -> dict[str, Any]:
    i = state.intake
    return {
        "id": state.case_id,
        "incident_ref": i.incident_ref,
        "occurred": uk_time(i.occurred),
        "location": i.location,
        "clips": i.clips,
        "footage": [
            {"name": f.name, "size": f"{f.size:,}", "sha256": f.sha256, "at": when(f.at)}
            for f in state.footage
        ],
        "notes": i.notes,
        "opened_at": when(i.opened_at),
        "opened_by": f"{i.opened_by.name} ({i.opened_by.role}, {i.opened_by.number})",
    }


def _because(t: TraceItem) -> list[dict[str, str]]:
    return [
        {"id": a.id, "value": show_value(a.value), "rationale": clip(a.rationale, ANSWERED)}
        for a in t.answers
    ]


def _rule(t: TraceItem) -> dict[str, Any]:
    """A rule as the record shows it: title, the answers (with rationales), its clauses."""
    return {
        "id": t.id,
        "title": t.title,
        "held": bool(t.held),
        "held_text": "Met" if t.held else "Not met",
        "because": _because(t),
        "missing": t.missing,
        "cites": t.cites,
        "clauses": list(zip(t.cites, t.clauses, strict=True)),
    }


def _recommendation(policy: Policy, rec: Recommendation) -> dict[str, Any]:
    step = next((t for t in rec.items("step") if t.held is True), None)
    blocks = [t for t in rec.items("referral") if t.held and t.id in rec.blocked_by]
    return {
        "outcome_text": OUTCOME_TEXT[rec.outcome].capitalize(),
        "exceptions_met": rec.exceptions_met,
        "blocked_by": rec.blocked_by,
        "awaited": rec.referrals,
        "step": _rule(step) if step else None,
        "blocks": [{**_rule(t), "status": referral_status(policy, t)} for t in blocks],
        "conditions": _addenda(rec, "condition", rec.conditions),
        "redactions": _addenda(rec, "redaction", rec.redactions),
    }


def _addenda(rec: Recommendation, kind: str, ids: list[str]) -> list[dict[str, Any]]:
    """Redactions or conditions by ID, each with its clauses (the statutes that drive it)."""
    items = {t.id: t for t in rec.trace if t.kind == kind}
    return [_rule(items[i]) for i in ids if i in items]


def _decision(view: CaseView) -> dict[str, Any] | None:
    d, decided = view.state.decision, view.decided
    if d is None or decided is None:
        return None
    rules = _rules_for(view)
    return {
        "outcome_text": OUTCOME_TEXT[d.outcome].capitalize(),
        "course_text": COURSES[d.course][1] if d.course in COURSES else "",
        "departure": d.departure,
        "rationale": d.rationale,
        "by": f"{d.actor.name} ({d.actor.role}, {d.actor.number})",
        "at": when(d.at),
        "review_by": d.review_by or "",
        "conditions": [rules[("condition", c)] for c in decided.conditions],
        "redactions": [rules[("redaction", r)] for r in decided.redactions],
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


def _rules_for(view: CaseView) -> dict[tuple[str, str], dict[str, Any]]:
    """Every redaction and condition of the policy with its clauses and answers."""
    policy, answers = view.policy, view.state.answers
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, rules in (("redaction", policy.redactions), ("condition", policy.conditions)):
        for r in rules:
            asked = sorted({c for c in _questions(r.when) if c in answers})
            out[(kind, r.id)] = {
                "id": r.id,
                "title": r.title,
                "because": [
                    {
                        "id": q,
                        "value": show_value(answers[q].value),
                        "rationale": clip(answers[q].rationale, ANSWERED),
                    }
                    for q in asked
                ],
                "missing": [],
                "cites": r.cites,
                "clauses": [(k, policy.sources[k].clause) for k in r.cites],
            }
    return out


def _questions(cond: Any) -> list[str]:
    """The question IDs a condition reads directly (refs are not followed)."""
    found: list[str] = []
    todo = [cond]
    while todo:
        item = todo.pop()
        q = getattr(item, "q", None)
        if isinstance(q, str):
            found.append(q)
        for attr in ("all", "any"):
            todo.extend(getattr(item, attr, None) or [])
        inner = getattr(item, "not_", None)
        if inner is not None:
            todo.append(inner)
    return found


def _also(policy: Policy, rec: Recommendation) -> list[dict[str, Any]]:
    """Blocks and referrals that hold on the answers past the deciding step."""
    also = rec.would_also_apply
    rows = [
        {**_rule(t), "status": "Would block release"}
        for t in rec.items("step", reached=False)
        if t.held and t.id in also.blocked_by
    ]
    rows += [
        {**_rule(t), "status": referral_status(policy, t).capitalize()}
        for t in rec.items("referral", reached=False)
        if t.held
    ]
    return rows


def _referrals(policy: Policy, rec: Recommendation) -> list[dict[str, Any]]:
    """Every referral: referred with its advice in plain words, or the answer that settled it."""
    rows = []
    for t in rec.items("referral", reached=None):
        rows.append(
            {
                **_rule(t),
                "referred": bool(t.held),
                "status": referral_status(policy, t).capitalize(),
                "past_decision": not t.reached,
            }
        )
    return rows


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


def _options(view: CaseView) -> list[dict[str, Any]]:
    """The options a decision maker had; the chosen one carries the decision maker's reasons."""
    rec, d = view.recommendation, view.state.decision
    chosen_key = None
    if d is not None:
        chosen_key = d.course if d.course in COURSES else d.outcome
    out = []
    for key, outcome, title in OPTIONS:
        chosen = key == chosen_key
        why = _why(rec, key, outcome)
        reasons = d.rationale if chosen and d is not None else ""
        out.append({"title": title, "chosen": chosen, "why": why, "reasons": reasons})
    return out


def _why(rec: Recommendation, key: str, outcome: str) -> str:
    """What the policy says of this option, on the answers given."""
    o = rec.outcome
    met = ", ".join(rec.exceptions_met)
    if key == "context_statement":
        return _context_why(rec)
    if key == o:
        return f"Recommended by the policy ({_decided_by(rec)})."
    if o == "refer":
        return f"Not yet open: advice awaited from {', '.join(rec.referrals)}."
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
            "The policy asks for it to be considered alongside not publishing: there is "
            "community concern or viral comment (MEMO-DEFAULT, MEMO-AMPLIFY)."
        )
    if rec.outcome in ("publish", "publish_with_redactions"):
        return (
            f"Not on its own: an exception is met ({', '.join(rec.exceptions_met)}), so the "
            "footage itself can be released; a statement can accompany it."
        )
    if rec.blocked_by:
        blocked = ", ".join(rec.blocked_by)
        return f"Open to the decision maker: release of footage is blocked by {blocked}."
    return "Not indicated: no community concern or viral comment recorded."


def _decided_by(rec: Recommendation) -> str:
    step = next((t for t in rec.items("step") if t.held), None)
    if step is not None:
        return f"{step.title}; {', '.join(step.cites)}"
    return "referral advice"


def _history(events: list[Event]) -> dict[str, Any]:
    """Every event when there are few; else the first and last in full, the middle counted.

    The page stays a few pages long however long the log; the embedded log keeps all.
    """
    if len(events) <= 2 * HISTORY_EDGE + 10:
        return {"rows": [_event(e) for e in events], "gap": None, "tail": [], "counts": []}
    middle = events[HISTORY_EDGE:-HISTORY_EDGE]
    counts = Counter(e.type.replace("_", " ") for e in middle)
    return {
        "rows": [_event(e) for e in events[:HISTORY_EDGE]],
        "gap": {
            "first": middle[0].seq,
            "last": middle[-1].seq,
            "count": len(middle),
            "from": when(middle[0].at),
            "to": when(middle[-1].at),
        },
        "counts": sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        "tail": [_event(e) for e in events[-HISTORY_EDGE:]],
    }


def _event(e: Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": when(e.at),
        "who": f"{e.actor.name} ({e.actor.number})",
        "what": e.type.replace("_", " "),
        "detail": clip(_detail(e), IN_LOG),
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
        course = f", {COURSES[e.course][1].lower()}" if e.course in COURSES else ""
        review = f"; review by {e.review_by}" if e.review_by else ""
        notes = "".join(f"; {c}: {n}" for c, n in (e.condition_notes or {}).items())
        return f"decided {e.outcome}{course}{dep}: {e.rationale}{review}{notes}"
    if isinstance(e, DisclosureRecordedEvent):
        url = f" ({e.url})" if e.url else ""
        return f"released {uk_time(e.released_at)} to {e.to}{url}"
    if isinstance(e, WithdrawalRecordedEvent):
        return f"withdrew release(s) {', '.join(map(str, e.releases))}: {e.reason}"
    if kind == "signoff_recorded":
        return f"signed as {e.role} over {e.head[:16]}…"  # type: ignore[union-attr]
    if kind == "record_rendered":
        return f"record {e.file} (sha256 {e.sha256[:16]}…)"  # type: ignore[union-attr]
    if isinstance(e, FootageFingerprintedEvent):
        return f"footage {e.name}, {e.size:,} bytes (SHA-256 {e.sha256[:16]}…)"
    return f"case opened: {e.incident_ref}"  # type: ignore[union-attr]
