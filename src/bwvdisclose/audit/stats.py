"""Statistics over a store's rows, as a JSON-able dict for the text, JSON and PDF views.

Counts by recommended and decided outcome, exception, block and referral, departures,
state, releases and withdrawals (logged events, and cases released, still out or
withdrawn), time from opening to decision (median and 90th percentile, nearest rank, in
hours, and a histogram), and per month of opening. Damaged cases are counted apart
and left out of everything else. Built from rows one at a time; only the decision
times are kept (one number per decided case).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from bwvdisclose.audit.rows import DAMAGED, CaseRow

DISCLOSURE = ("releases", "withdrawals", "cases_released", "cases_live", "cases_withdrawn")
MAX_MONTHS = 120  # the filters' span widens the monthly chart up to ten years
BUCKETS = (  # (label, upper bound in hours)
    ("under 1 day", 24.0),
    ("1-2 days", 48.0),
    ("2-7 days", 168.0),
    ("1-2 weeks", 336.0),
    ("2-4 weeks", 672.0),
    ("4 weeks or more", math.inf),
)


class _Tally:
    def __init__(self) -> None:
        self.cases = self.damaged = self.decided = self.departures = 0
        self.disclosure: Counter[str] = Counter()
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.months: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        self.hours: list[float] = []
        self.crossed: dict[str, Counter[str]] = defaultdict(Counter)
        self.departed: list[dict[str, str]] = []  # one short entry per departure

    def add(self, row: CaseRow) -> None:
        if row.state == DAMAGED or row.opened is None:
            self.damaged += 1
            return
        self.cases += 1
        counts, month = self.counts, self.months[_year_month(row.opened)]
        counts["recommended"][row.recommended or "none"] += 1
        counts["state"][row.state] += 1
        counts["exceptions"].update(row.exceptions)
        counts["blocks"].update(row.blocked_by)
        counts["referrals"].update(row.referrals)
        month["recommended"][row.recommended or "none"] += 1
        self.disclosure.update(
            releases=row.releases,
            withdrawals=row.withdrawals,
            cases_released=bool(row.releases),
            cases_live=bool(row.live_releases),
            cases_withdrawn=bool(row.releases) and not row.live_releases,
        )
        if row.decided and row.decided_at is not None:
            self.decided += 1
            self.departures += bool(row.departure)
            counts["decided"][row.decided] += 1
            month["decided"][row.decided] += 1
            month["departures"]["count"] += bool(row.departure)
            self.hours.append((row.decided_at - row.opened).total_seconds() / 3600)
            self.crossed[row.recommended or "none"][row.decided] += 1
            if row.departure:
                self.departed.append(
                    {
                        "case_id": row.case_id,
                        "decided_at": f"{row.decided_at.astimezone(dt.UTC):%Y-%m-%d}",
                        "recommended": row.recommended,
                        "decided": row.decided,
                        "decision_maker": row.decision_maker,
                        "justification": row.justification,
                    }
                )


def compute_stats(
    rows: Iterable[CaseRow], span: tuple[dt.date | None, dt.date | None] = (None, None)
) -> dict[str, Any]:
    """The statistics of `rows` (see the module docstring for what is counted).

    Every month from the first case (or `span`'s start) to the last (or its end) is
    listed, those without cases with zeros, so a chart never closes up a gap.
    """
    tally = _Tally()
    for row in rows:
        tally.add(row)
    months = _every_month(sorted(tally.months), *span)
    by = {key: dict(sorted(c.items())) for key, c in sorted(tally.counts.items())}
    for key in ("recommended", "decided", "exceptions", "blocks", "referrals", "state"):
        by.setdefault(key, {})
    return {
        "cases": tally.cases,
        "damaged": tally.damaged,
        "decided": tally.decided,
        "departures": tally.departures,
        "disclosure": {key: tally.disclosure[key] for key in DISCLOSURE},
        "by": by,
        "time_to_decision": _times(tally.hours),
        "recommended_vs_decided": {
            rec: dict(sorted(decided.items())) for rec, decided in sorted(tally.crossed.items())
        },
        "departure_cases": tally.departed,
        "by_month": {month: _month(tally.months.get(month)) for month in months},
    }


def _month(parts: dict[str, Counter[str]] | None) -> dict[str, Any]:
    parts = parts or {}
    recommended, decided = parts.get("recommended", Counter()), parts.get("decided", Counter())
    return {
        "opened": sum(recommended.values()),
        "recommended": dict(sorted(recommended.items())),
        "decided": dict(sorted(decided.items())),
        "departures": parts.get("departures", Counter())["count"],
    }


def _every_month(seen: list[str], start: dt.date | None, end: dt.date | None) -> list[str]:
    """`YYYY-MM` from the earliest to the latest of `seen` and the span's ends, gaps included."""
    with_span = _months_between([*seen, *(_year_month(d) for d in (start, end) if d is not None)])
    # a span far wider than the cases (`--from 1900-01-01`) must not draw a century of months
    return with_span if len(with_span) <= MAX_MONTHS else _months_between(seen)


def _year_month(day: dt.date | dt.datetime) -> str:
    """`YYYY-MM`, four digits even before the year 1000 (strftime's %Y writes `999`)."""
    return f"{day.year:04d}-{day.month:02d}"


def _months_between(ends: list[str]) -> list[str]:
    if not ends:
        return []
    first, last = min(ends), max(ends)
    year, month = int(first[:4]), int(first[5:])
    months: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _times(hours: list[float]) -> dict[str, Any]:
    if not hours:
        return {"decided": 0, "median_hours": None, "p90_hours": None, "histogram": {}}
    hours.sort()
    histogram = dict.fromkeys((label for label, _ in BUCKETS), 0)
    for h in hours:
        histogram[next(label for label, top in BUCKETS if h < top)] += 1
    return {
        "decided": len(hours),
        "median_hours": round(statistics.median(hours), 1),
        "p90_hours": round(percentile(hours, 90), 1),
        "histogram": histogram,
    }


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list: the smallest value with pct% at or below."""
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
