"""The recommendation as a duty officer reads it: the outcome first, then why, clause by clause."""

from __future__ import annotations

import textwrap

from bwvdisclose.policy.models import AnswerValue, Policy, Question
from bwvdisclose.recommendation import Flip, Recommendation, TraceItem

OUTCOME_TEXT = {
    "publish": "PUBLISH",
    "publish_with_redactions": "PUBLISH WITH REDACTIONS",
    "do_not_publish": "DO NOT PUBLISH",
    "refer": "REFER: advice needed before a decision",
    "incomplete": "INCOMPLETE: more answers needed",
}
MARK = {True: "yes", False: "no ", None: "?  "}
WIDTH = 88


def show_value(value: AnswerValue | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return "(unanswered)" if value is None else str(value)


def show_answer(q: Question, value: AnswerValue | None) -> str:
    """An answer as a person reads it: the choice labels the policy gives, yes or no."""
    if isinstance(value, list):
        return "; ".join(q.choice_labels.get(v, v) for v in value) if value else "(none)"
    if isinstance(value, str) and q.type == "choice":
        return q.choice_labels.get(value, value)
    return show_value(value)


def explain(policy: Policy, rec: Recommendation, flips: list[Flip] | None = None) -> str:
    """Plain text, stable for snapshots: no colour, no terminal width."""
    out = [f"Recommendation: {OUTCOME_TEXT.get(rec.outcome, rec.outcome)}"]
    out.append(
        f"Policy: {rec.policy.id} version {rec.policy.version} (sha256 {rec.policy.sha256[:16]})"
    )
    if rec.outcome == "incomplete":
        out += ["", "Answer these questions to reach a recommendation:"]
        out += [f"  - {qid}: {policy.questions[qid].prompt}" for qid in rec.missing]
    if rec.outcome != "incomplete":
        out += ["", "Why", *_why(policy, rec)]
    out += _section(policy, "Exceptions", rec.items("exception"), {True: "met", False: "not met"})
    out += _section(policy, "Referrals", [t for t in rec.items("referral") if t.held], None)
    if rec.outcome != "incomplete":
        out += _listing(policy, "Redactions to apply", rec.redactions, rec.items("redaction"))
        out += _listing(
            policy, "Conditions (what the decision maker must do)", rec.conditions,
            rec.items("condition"),
        )  # fmt: skip
    if flips is not None and rec.outcome != "incomplete":
        out += ["", "What would change the outcome"]
        out += [f"  - {_flip(f)}" for f in flips] or [
            "  (no change to one or two of the given answers would)"
        ]
    return "\n".join(out) + "\n"


def _why(policy: Policy, rec: Recommendation) -> list[str]:
    lines: list[str] = []
    decided = next((t for t in rec.items("step") if t.held is True), None)
    if decided is not None:
        lines += _item(policy, decided, "")
    for item in rec.items("referral"):
        if item.held and item.id in rec.blocked_by:
            lines += _item(policy, item, f"blocked: {item.advice} from ")
    if rec.outcome == "refer":
        lines.append(f"  advice awaited from: {', '.join(rec.referrals)}")
    if rec.exceptions_met and rec.outcome != "do_not_publish":
        lines.append(f"  exception(s) met: {', '.join(rec.exceptions_met)} (see below)")
    return lines


def _section(
    policy: Policy, title: str, items: list[TraceItem], labels: dict[bool | None, str] | None
) -> list[str]:
    if not items:
        return []
    lines = ["", title]
    for item in items:
        label = labels.get(item.held, "unknown") if labels else f"advice: {item.advice}"
        lines += _item(policy, item, f"[{label}] ")
    return lines


def _item(policy: Policy, item: TraceItem, prefix: str) -> list[str]:
    """One rule: its answers, and the quoted clauses when it held (keys alone otherwise)."""
    keys = "" if item.held else f" [{', '.join(item.cites)}]"
    lines = [f"  {prefix}{item.id}: {item.title}{keys}"]
    if item.answers:
        because = ", ".join(f"{a.id} = {show_value(a.value)}" for a in item.answers)
        lines += _wrap(f"because {because}", "      ")
    if item.missing:
        lines += _wrap(f"unanswered: {', '.join(item.missing)}", "      ")
    if item.held:
        for key, clause in zip(item.cites, item.clauses, strict=True):
            lines += _wrap(f"{key}: {clause}", "      ")
    return lines


def _listing(policy: Policy, title: str, ids: list[str], items: list[TraceItem]) -> list[str]:
    lines = ["", title]
    chosen = [t for t in items if t.id in ids]
    for item in chosen:
        lines.append(f"  - {item.id}: {item.title} [{', '.join(item.cites)}]")
    return lines if chosen else [*lines, "  (none)"]


def _flip(flip: Flip) -> str:
    parts = [f"{c.id}: {show_value(c.before)} -> {show_value(c.after)}" for c in flip.changes]
    return f"{' and '.join(parts)} gives {flip.outcome}"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")
