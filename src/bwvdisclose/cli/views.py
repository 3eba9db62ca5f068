"""How a case looks at the terminal: rich tables over the folded state."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bwvdisclose.case import AnswerChangedEvent, CaseState
from bwvdisclose.caseview import CaseView
from bwvdisclose.checklist import applicable
from bwvdisclose.explain import TERMINAL_FLIPS, explain, show_value
from bwvdisclose.localtime import uk_time
from bwvdisclose.policy.models import Policy


def header(console: Console, view: CaseView) -> None:
    state, i = view.state, view.state.intake
    console.print(f"[bold]Case {state.case_id}[/]  ({view.status})", markup=True)
    _plain(console, f"  Incident {i.incident_ref}, {uk_time(i.occurred)}, {i.location}")
    _plain(console, f"  Clips: {', '.join(i.clips) or '(none)'}")
    for f in state.footage:
        _plain(console, f"  Footage: {f.name}, {f.size:,} bytes, SHA-256 {f.sha256}")
    _plain(
        console,
        f"  Opened {uk_time(i.opened_at)} by {i.opened_by.name} ({i.opened_by.number})",
    )
    if state.decision:
        d = state.decision
        dep = " [bold red](departs from the recommendation)[/]" if d.departure else ""
        console.print(f"  Decided: [bold]{d.outcome}[/] by {escape(d.actor.name)}{dep}")
    for s in state.signoffs:
        stale = "" if state.is_current(s) else " [red](stale: case changed since)[/]"
        who = escape(f"{s.signer.name} ({s.signer.number})")
        console.print(f"  Signed as {s.role}: {who}{stale}")


def _plain(console: Console, text: str) -> None:
    console.print(text, markup=False)


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
