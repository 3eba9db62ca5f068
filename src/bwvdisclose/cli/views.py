"""How a case looks at the terminal: rich tables over the folded state."""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bwvdisclose.case import AnswerChangedEvent, CaseState, PolicyApproval
from bwvdisclose.cases import COURSES
from bwvdisclose.caseview import CaseView
from bwvdisclose.checklist import applicable
from bwvdisclose.explain import TERMINAL_FLIPS, explain, show_value
from bwvdisclose.localtime import uk_time
from bwvdisclose.nextsteps import advice_requests, redactions_so_far
from bwvdisclose.policy.models import Policy
from bwvdisclose.recommendation import Recommendation


def header(console: Console, view: CaseView) -> None:
    state, i = view.state, view.state.intake
    console.print(f"[bold]Case {state.case_id}[/]  ({view.status})")
    _plain(console, f"  Incident {i.incident_ref}, {uk_time(i.occurred)}, {i.location}")
    _plain(console, f"  Clips: {', '.join(i.clips) or '(none)'}")
    for f in state.footage:
        _plain(console, f"  Footage: {f.name}, {f.size:,} bytes, SHA-256 {f.sha256}")
    _plain(console, f"  Opened {uk_time(i.opened_at)} by {i.opened_by.name} ({i.opened_by.number})")
    if state.decision:
        d = state.decision
        dep = " [bold red](departs from the recommendation)[/]" if d.departure else ""
        course = f", {COURSES[d.course][1].lower()}" if d.course in COURSES else ""
        console.print(
            f"  Decided: [bold]{d.outcome}[/]{escape(course)} by {escape(d.actor.name)}{dep}"
        )
        console.print(f"  {approval_line(d.approval)}", markup=False)
        if d.review_by:
            console.print(f"  Review the released footage by {d.review_by}")
        for cid, note in (d.condition_notes or {}).items():
            console.print(f"  Condition {cid}: {note}", markup=False)
    for s in state.signoffs:
        stale = "" if state.is_current(s) else " [red](stale: case changed since)[/]"
        who = escape(f"{s.signer.name} ({s.signer.number})")
        console.print(f"  Signed as {s.role}: {who}{stale}")
    for line in custom_template_notes(state):
        _plain(console, f"  {line}")


def custom_template_notes(state: CaseState) -> list[str]:
    """A line for each record rendered from templates other than the shipped ones."""
    return [
        f"Record {r.file} was rendered from templates other than the shipped ones "
        f"(BWVDISCLOSE_TEMPLATES, SHA-256 {(r.templates_sha256 or '?')[:16]}…); "
        "`verify FILE.pdf` checks the facts it states"
        for r in state.records
        if r.custom_templates
    ]


def _plain(console: Console, text: str) -> None:
    console.print(text, markup=False)


def approval_line(approval: PolicyApproval | None) -> str:
    """Who approved the policy version the decision was made under (as the decision says)."""
    from bwvdisclose.trust.approval import approver

    if approval is None:
        return "Policy approval: none recorded with the decision"
    return (
        f"Policy {approval.policy_id} version {approval.version} approved by "
        f"{approver(approval)} at {approval.approved_at} (checked by `verify`)"
    )


def disclosure_table(state: CaseState) -> Table | None:
    """Releases and withdrawals (DPA 2018 s.62 log of disclosure), or None if nothing went out."""
    if not state.releases:
        return None
    table = Table(title="Releases and withdrawals", title_justify="left")
    for col in ("#", "When (UK time)", "Who", "What", "To / reason"):
        table.add_column(col, overflow="fold")
    rows = [
        (r.seq, uk_time(r.released_at), r.actor.name, f"released ({r.outcome})",
         r.to + (f" {r.url}" if r.url else ""))
        for r in state.releases
    ] + [
        (w.seq, uk_time(w.at), w.actor.name,
         f"withdrew release(s) {', '.join(map(str, w.releases))}", w.reason)
        for w in state.withdrawals
    ]  # fmt: skip
    for seq, *cells in sorted(rows, key=lambda row: int(row[0])):
        table.add_row(str(seq), *(Text(c) for c in cells))
    return table


def answers_table(state: CaseState, policy: Policy) -> Table:
    values = {k: a.value for k, a in state.answers.items()}
    live = {q.id for q in applicable(policy, values)}
    table = Table(title="Answers", title_justify="left", show_lines=False)
    table.add_column("Question", no_wrap=True)
    for col in ("Answer", "Rationale", "By"):
        table.add_column(col, overflow="fold")
    for section in policy.sections:
        for q in section.questions:
            a = state.answers.get(q.id)
            if a is None and q.id not in live:
                continue
            answer = show_value(a.value) if a else "[yellow](unanswered)[/]"
            if a and q.id not in live:
                answer += " [dim](not applicable)[/]"
            table.add_row(q.id, answer, a.rationale if a else "", a.by.name if a else "")
    return table


def history_table(state: CaseState) -> Table:
    table = Table(title="Answer history", title_justify="left")
    for col in ("#", "When (UK time)", "Who", "Question", "Answer", "Reason for change"):
        table.add_column(col, overflow="fold")
    for e in state.history:
        was = f" (was {show_value(e.previous)})" if isinstance(e, AnswerChangedEvent) else ""
        reason = e.reason if isinstance(e, AnswerChangedEvent) else ""
        table.add_row(
            str(e.seq),
            uk_time(e.at, seconds=True),
            e.actor.name,
            e.question,
            show_value(e.value) + was,
            reason,
        )
    return table


def recommendation(console: Console, view: CaseView) -> None:
    console.print()
    text = explain(view.policy, view.recommendation, view.flips, TERMINAL_FLIPS)
    console.print(text, markup=False, end="")


def next_steps(console: Console, policy: Policy, rec: Recommendation, state: CaseState) -> None:
    """After REFER: the advice to request from whom, covering what; the redactions so far."""
    if rec.outcome != "refer":
        return
    answers = {k: a.value for k, a in state.answers.items()}
    rationales = {k: a.rationale for k, a in state.answers.items()}
    requests = advice_requests(policy, rec, answers, rationales, state.case_id)
    console.print()
    console.print(f"[bold]Next steps[/]: send {len(requests)} advice request(s), one per referral.")
    for n, r in enumerate(requests, 1):
        console.print(f"\n  {n}. To: [bold]{r.to}[/] (referral {r.referral})", markup=True)
        lines = [(5, f"Case {state.case_id}: {state.intake.incident_ref}, {state.intake.location}")]
        lines.append((5, "Why it is referred:"))
        for reason in r.reasons:
            why = f" ({reason.rationale})" if reason.rationale else ""
            lines.append((7, f"- {reason.prompt} {reason.answer}{why}"))
        lines.append(
            (5, f"What is proposed: if no referral objects, {r.proposal}")
            if not r.redactions
            else (5, f"What is proposed: if no referral objects, {r.proposal}, with: "
                  + "; ".join(r.redactions))
        )  # fmt: skip
        lines.append((5, f"What to ask: {r.ask}; reply one of: {', '.join(r.replies)}"))
        lines += [(5, f"{key}: {clause}") for key, clause in r.clauses]
        lines.append((5, f"Record the reply: {r.record_with}"))
        for indent, text in lines:
            console.print(_hang(console, indent, text), markup=False, highlight=False)
    found = redactions_so_far(policy, answers)
    console.print()
    console.print("[bold]Redactions identified so far[/]")
    if not found:
        console.print("  (none yet)")
    for red in found:
        console.print(f"  - {red.id}: {red.title} [{', '.join(red.cites)}]", markup=False)


def _hang(console: Console, indent: int, text: str) -> str:
    """`text` indented, its continuation lines hanging under it when a terminal wraps it."""
    width = console.width if console.is_terminal else len(text) + indent + 1
    return textwrap.fill(
        text, max(width - 1, 40), initial_indent=" " * indent, subsequent_indent=" " * (indent + 2)
    )
