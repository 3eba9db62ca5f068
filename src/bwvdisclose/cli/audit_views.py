"""How audit results read as plain text: statistics, replay changes, list rows."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bwvdisclose.audit.replay import CaseChange, ReplaySummary
from bwvdisclose.audit.rows import COLUMNS, CaseRow, flat
from bwvdisclose.cli.terminal import console

SECTIONS = (
    ("recommended", "Recommended outcome"),
    ("decided", "Decided outcome"),
    ("exceptions", "Exceptions met"),
    ("blocks", "Blocked by"),
    ("referrals", "Referrals triggered"),
    ("state", "Where cases stand"),
)


def stats_text(stats: dict[str, Any]) -> Iterator[str]:
    decided, departures = stats["decided"], stats["departures"]
    share = f" ({100 * departures / decided:.1f}% of decisions)" if decided else ""
    yield f"Cases: {stats['cases']}" + (
        f" (and {stats['damaged']} damaged, left out)" if stats["damaged"] else ""
    )
    yield f"Decided: {decided}; departures from the recommendation: {departures}{share}"
    d = stats["disclosure"]
    yield (
        f"Released: {d['releases']} release(s) of {d['cases_released']} case(s); "
        f"withdrawn: {d['withdrawals']} takedown(s), {d['cases_withdrawn']} case(s) no longer out; "
        f"still out: {d['cases_live']} case(s)"
    )
    t = stats["time_to_decision"]
    if t["decided"]:
        yield (
            f"Time from opening to decision: median {t['median_hours']} h, "
            f"90th percentile {t['p90_hours']} h"
        )
    for key, title in SECTIONS:
        yield ""
        yield title
        yield from _counts(stats["by"][key])
    if t["decided"]:
        yield ""
        yield "Time to decision"
        yield from _counts(t["histogram"])
    yield ""
    yield "Recommended (rows) against decided (columns), decided cases"
    yield from crossed_text(stats["recommended_vs_decided"])
    yield ""
    yield "Departures from the recommendation, with their justifications"
    if not stats["departure_cases"]:
        yield "  (none)"
    for d in stats["departure_cases"]:
        yield (
            f"  {d['case_id']}  {d['decided_at']}  recommended {d['recommended']}, decided "
            f"{d['decided']} by {d['decision_maker'] or '(unknown)'}: {d['justification']}"
        )
    yield ""
    yield "By month opened"
    for month, m in stats["by_month"].items():
        decided, opened, departures = sum(m["decided"].values()), m["opened"], m["departures"]
        yield f"  {month}  opened {opened:>5}  decided {decided:>5}  departures {departures:>3}"


def crossed_text(crossed: dict[str, dict[str, int]]) -> Iterator[str]:
    if not crossed:
        yield "  (no decided case)"
        return
    columns = sorted({d for row in crossed.values() for d in row})
    yield "  " + " " * 24 + "".join(f"{c:>24}" for c in columns)
    for rec, row in crossed.items():
        yield f"  {rec:<24}" + "".join(f"{row.get(c, 0):>24}" for c in columns)


def _counts(data: dict[str, int]) -> Iterator[str]:
    if not data:
        yield "  (none)"
    for name, n in data.items():
        yield f"  {name:<28} {n:>6}"


def _show(value: Any, unknown: list[str] | None = None) -> str:
    """A list as text; items whose rule is unknown are named as unknown, never as absent."""
    if not isinstance(value, list):
        return str(value)
    held = ", ".join(value)
    if unknown:
        return (
            f"{held}; unknown: {', '.join(unknown)}" if held else f"(unknown: {', '.join(unknown)})"
        )
    return held or "(none)"


NEW_RULE = ("not in the policy", "unknown")


def change_text(change: CaseChange, shown: set[str] | None = None) -> Iterator[str]:
    """One changed case. Rules the new policy adds that cannot be decided yet share one line;
    a clause is quoted the first time it is cited (`shown` holds the keys quoted so far)."""
    before, after = change.before, change.after
    yield f"{change.case_id}  {before['outcome']} -> {after['outcome']}"
    for key in change.changed:
        if key != "outcome":
            was = _show(before[key], change.unknown_before.get(key))
            now = _show(after[key], change.unknown_after.get(key))
            yield f"  {key}: {was} -> {now}"
    if change.missing:
        yield f"  needs answers to: {', '.join(change.missing)}"
    if change.note:
        yield f"  note: {change.note}"
    differ = [r for r in change.rules if (r.before, r.after) != NEW_RULE]
    added = [f"{r.kind} {r.id}" for r in change.rules if (r.before, r.after) == NEW_RULE]
    if differ:
        yield "  rules that differ:"
    clauses: dict[str, str] = {}
    for rule in differ:
        yield f"    {rule.kind} {rule.id}: {rule.before} -> {rule.after} [{', '.join(rule.cites)}]"
    for rule in change.rules:
        clauses.update(zip(rule.cites, rule.clauses, strict=False))
    if added:
        yield from textwrap.wrap(
            f"new in this policy, not decided until those are answered: {', '.join(added)}",
            96, initial_indent="  ", subsequent_indent="    ",
        )  # fmt: skip
    if shown is not None:
        quoted = sorted(k for k in clauses if k in shown)
        clauses = {k: v for k, v in clauses.items() if k not in shown}
        shown.update(clauses)
        if quoted:
            yield from textwrap.wrap(
                f"clauses cited (quoted above): {', '.join(quoted)}",
                96, initial_indent="  ", subsequent_indent="    ",
            )  # fmt: skip
    if clauses:
        yield "  clauses cited:"
    for key, clause in clauses.items():
        yield from textwrap.wrap(
            f"{key}: {clause}", 96, initial_indent="    ", subsequent_indent="      "
        )


def replay_footer(summary: ReplaySummary) -> Iterator[str]:
    p = summary.policy
    unchanged = summary.cases - summary.changed - len(summary.unreadable)
    yield (
        f"Replayed {summary.cases} cases under {p['id']} version {p['version']} "
        f"(sha256 {p['sha256'][:16]}): {summary.changed} would change, {unchanged} unchanged, "
        f"{len(summary.unreadable)} could not be read."
    )
    for transition, n in sorted(summary.transitions.items()):
        yield f"  {transition}: {n}"
    if summary.needs:
        yield "Answers the changed cases would need (cases):"
        for qid, n in sorted(summary.needs.items(), key=lambda item: (-item[1], item[0])):
            yield f"  {qid}: {n}"
    for problem in summary.unreadable:
        yield f"  not replayed: {problem}"
    yield "Nothing was written: replay only reads the case files."


HEADERS = {"case_id": "Case", "incident_type": "Incident", "departure": "Departs"}


def rows_console() -> Console:
    """Fitted to a terminal; whole lines when not at a terminal (pipes, files)."""
    return console()


def rows_table(title: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for col in COLUMNS:
        header = HEADERS.get(col, col.replace("_", " ").capitalize())
        table.add_column(header, overflow="fold", no_wrap=col in ("case_id", "opened"))
    return table


def table_cells(row: CaseRow) -> list[str]:
    cells = flat(row)
    cells["opened"] = cells["opened"][:10]
    cells["exceptions"] = cells["exceptions"].replace(";", ", ")
    if row.problem:
        cells["state"] = f"DAMAGED: {row.problem}"
    return [cells[c] for c in COLUMNS]
