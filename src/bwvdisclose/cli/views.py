"""How a case looks at the terminal: rich tables over the folded state."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bwvdisclose.case import AnswerChangedEvent, CaseState, PolicyApproval
from bwvdisclose.cases import status
from bwvdisclose.checklist import applicable
from bwvdisclose.explain import explain, show_value
from bwvdisclose.policy.models import Policy
from bwvdisclose.recommendation import Flip, Recommendation


def header(console: Console, state: CaseState, policy: Policy) -> None:
    i = state.intake
    console.print(f"[bold]Case {state.case_id}[/]  ({status(state, policy)})")
    console.print(f"  Incident {i.incident_ref}, {i.occurred:%Y-%m-%d %H:%M} UTC, {i.location}")
    console.print(f"  Clips: {', '.join(i.clips) or '(none)'}")
    console.print(
        f"  Opened {i.opened_at:%Y-%m-%d %H:%M} UTC by {i.opened_by.name} ({i.opened_by.number})"
    )
    if state.decision:
        d = state.decision
        dep = " [bold red](departs from the recommendation)[/]" if d.departure else ""
        console.print(f"  Decided: [bold]{d.outcome}[/] by {d.actor.name}{dep}")
        console.print(f"  {approval_line(d.approval)}", markup=False)
    for s in state.signoffs:
        stale = "" if state.is_current(s) else " [red](stale: case changed since)[/]"
        console.print(f"  Signed as {s.role}: {s.signer.name} ({s.signer.number}){stale}")


def approval_line(approval: PolicyApproval | None) -> str:
    """Who approved the policy version the decision was made under (as the decision says)."""
    from bwvdisclose.trust.approval import approver

    if approval is None:
        return "Policy approval: none recorded with the decision"
    return (
        f"Policy {approval.policy_id} version {approval.version} approved by "
        f"{approver(approval)} at {approval.approved_at} (checked by `verify`)"
    )


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
    for col in ("#", "When (UTC)", "Who", "Question", "Answer", "Reason for change"):
        table.add_column(col, overflow="fold")
    for e in state.history:
        was = f" (was {show_value(e.previous)})" if isinstance(e, AnswerChangedEvent) else ""
        reason = e.reason if isinstance(e, AnswerChangedEvent) else ""
        table.add_row(
            str(e.seq),
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.actor.name,
            e.question,
            show_value(e.value) + was,
            reason,
        )
    return table


def recommendation(
    console: Console, policy: Policy, rec: Recommendation, flips: list[Flip]
) -> None:
    console.print()
    console.print(explain(policy, rec, flips), markup=False, end="")
