"""The recommendation as a duty officer reads it: the outcome first, then every consideration.

Besides the deciding step: what would also block or refer past it, every exception,
every referral (triggered or not, with the answer that settled it), the redactions and
conditions with their clauses, and what would change the outcome. Every rule shown
quotes its clauses; every answer shown carries its rationale when one was given.
"""

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
ADVICE_TEXT = {
    "pending": "advice awaited",
    "no_objection": "no objection to release",
    "objection": "objects to release",
}
MARK = {True: "yes", False: "no ", None: "?  "}
WIDTH = 88
TERMINAL_FLIPS = 12  # a terminal view lists this many changes, then says how many more


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


def advice_text(policy: Policy, question: str, advice: str | None) -> str:
    """Referral advice in plain words: the policy's label, else a plain reading of the value."""
    value = advice or "pending"
    q = policy.questions.get(question)
    if q is not None and value in q.choice_labels:
        return q.choice_labels[value]
    return ADVICE_TEXT.get(value, value.replace("_", " "))


def referral_status(policy: Policy, item: TraceItem) -> str:
    """`referred; advice: no objection to release`, or `not referred`, for a referral item."""
    if item.held is None:
        return "not yet known whether referred"
    if not item.held:
        return "not referred"
    advice = next((r.advice for r in policy.referrals if r.id == item.id), "")
    if (item.advice or "pending") == "pending":
        return "referred; advice awaited"
    return f"referred; advice: {advice_text(policy, advice, item.advice)}"


def flip_text(flip: Flip, arrow: str = "->") -> str:
    parts = [f"{c.id}: {show_value(c.before)} {arrow} {show_value(c.after)}" for c in flip.changes]
    if flip.outcome == "incomplete":
        return f"{' and '.join(parts)} needs answers to {', '.join(flip.missing)}"
    return f"{' and '.join(parts)} gives {flip.outcome}"


def explain(
    policy: Policy,
    rec: Recommendation,
    flips: list[Flip] | None = None,
    max_flips: int | None = None,
) -> str:
    """Plain text, stable for snapshots: no colour, no terminal width.

    `max_flips` shortens the list of changes for a terminal, saying how many more there are.
    """
    out = [f"Recommendation: {OUTCOME_TEXT.get(rec.outcome, rec.outcome)}"]
    out.append(
        f"Policy: {rec.policy.id} version {rec.policy.version} (sha256 {rec.policy.sha256[:16]})"
    )
    if rec.outcome == "incomplete":
        out += ["", "Answer these questions to reach a recommendation:"]
        out += [f"  - {qid}: {policy.questions[qid].prompt}" for qid in rec.missing]
    if rec.outcome != "incomplete":
        out += ["", "Why", *_why(policy, rec)]
        out += _also(policy, rec)
    out += _section(policy, "Exceptions", rec.items("exception"), {True: "met", False: "not met"})
    out += _referrals(policy, rec)
    if rec.outcome != "incomplete":
        out += _listing(policy, "Redactions to apply", rec.redactions, rec.items("redaction"))
        out += _listing(
            policy, "Conditions (what the decision maker must do)", rec.conditions,
            rec.items("condition"),
        )  # fmt: skip
    if flips is not None and rec.outcome != "incomplete":
        out += ["", "What would change the outcome", *_flips(flips, max_flips)]
    return "\n".join(out) + "\n"


def _why(policy: Policy, rec: Recommendation) -> list[str]:
    lines: list[str] = []
    decided = next((t for t in rec.items("step") if t.held is True), None)
    if decided is not None:
        lines += _item(policy, decided, "")
    for item in rec.items("referral"):
        if item.held and item.id in rec.blocked_by:
            lines += _item(policy, item, f"[blocks: {referral_status(policy, item)}] ")
    if rec.outcome == "refer":
        lines.append(f"  advice awaited from: {', '.join(rec.referrals)}")
    if rec.exceptions_met and rec.outcome != "do_not_publish":
        lines.append(f"  exception(s) met: {', '.join(rec.exceptions_met)} (see below)")
    return lines


def _also(policy: Policy, rec: Recommendation) -> list[str]:
    """Blocks and referrals that hold on the answers although an earlier step decided."""
    also = rec.would_also_apply
    if not (also.blocked_by or also.referrals):
        return []
    lines = ["", "Would also apply (the rules past the deciding step, on the answers given)"]
    for item in rec.items("step", reached=False):
        if item.held and item.id in also.blocked_by:
            lines += _item(policy, item, "[would block] ")
    for item in rec.items("referral", reached=False):
        if item.held:
            blocks = " (would block)" if item.id in also.blocked_by else ""
            lines += _item(policy, item, f"[{referral_status(policy, item)}{blocks}] ")
    return lines


def _referrals(policy: Policy, rec: Recommendation) -> list[str]:
    """Every referral: referred with its advice, or the answer that settled it."""
    unreached = [t for t in rec.items("referral", reached=False) if not t.held]
    items = rec.items("referral") + unreached  # those referred past the decision: see above
    if not items:
        return []
    lines = ["", "Referrals"]
    for item in items:
        lines += _item(policy, item, f"[{referral_status(policy, item)}] ")
    return lines


def _section(
    policy: Policy, title: str, items: list[TraceItem], labels: dict[bool | None, str]
) -> list[str]:
    if not items:
        return []
    lines = ["", title]
    for item in items:
        lines += _item(policy, item, f"[{labels.get(item.held, 'unknown')}] ")
    return lines


def _item(policy: Policy, item: TraceItem, prefix: str) -> list[str]:
    """One rule: its answers with their rationales, and the quoted clauses when it held."""
    keys = "" if item.held else f" [{', '.join(item.cites)}]"
    lines = [f"  {prefix}{item.id}: {item.title}{keys}"]
    lines += _because(item)
    if item.missing:
        lines += _wrap(f"unanswered: {', '.join(item.missing)}", "      ")
    if item.held:
        lines += _clauses(item)
    return lines


def _because(item: TraceItem) -> list[str]:
    if not item.answers:
        return []
    if not any(a.rationale for a in item.answers):
        because = ", ".join(f"{a.id} = {show_value(a.value)}" for a in item.answers)
        return _wrap(f"because {because}", "      ")
    lines = ["      because"]
    for a in item.answers:
        why = f": {a.rationale}" if a.rationale else ""
        lines += _wrap(f"{a.id} = {show_value(a.value)}{why}", "        ")
    return lines


def _clauses(item: TraceItem) -> list[str]:
    lines: list[str] = []
    for key, clause in zip(item.cites, item.clauses, strict=True):
        lines += _wrap(f"{key}: {clause}", "      ")
    return lines


def _listing(policy: Policy, title: str, ids: list[str], items: list[TraceItem]) -> list[str]:
    lines = ["", title]
    chosen = [t for t in items if t.id in ids]
    for item in chosen:
        lines.append(f"  - {item.id}: {item.title}")
        lines += _because(item)
        lines += _clauses(item)
    return lines if chosen else [*lines, "  (none)"]


def _flips(flips: list[Flip], limit: int | None) -> list[str]:
    if not flips:
        return ["  (no change to one or two of the given answers would)"]
    shown = flips if limit is None else flips[:limit]
    lines = [f"  - {flip_text(f)}" for f in shown]
    if len(flips) > len(shown):
        lines.append(f"  ... and {len(flips) - len(shown)} more (all of them: --format json)")
    return lines


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")
