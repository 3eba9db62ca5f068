"""Audits over a whole case store: pure core, no click; one case in memory at a time.

scan.py      map_cases: a task over every case, in one or two worker processes
verify.py    verify_store / verify_case: hash chain, sign-off signatures, record files
rows.py      list_rows / case_row and Filters: one row per case for auditors
stats.py     compute_stats: counts, departures, time to decision, by month
replay.py    replay_store / replay_case: what would change under another policy
policies.py  PolicyCatalog: the policy version a stored case recorded, by SHA-256
charts.py    chart geometry for the report; report.py the report's HTML and PDF (jinja2)
"""

from __future__ import annotations

from bwvdisclose.audit.policies import PolicyCatalog
from bwvdisclose.audit.replay import (
    CaseChange,
    ReplaySummary,
    new_summary,
    replay_case,
    replay_store,
)
from bwvdisclose.audit.rows import CaseRow, Filters, case_row, list_rows
from bwvdisclose.audit.stats import compute_stats
from bwvdisclose.audit.verify import CaseCheck, VerifySummary, verify_case, verify_store

__all__ = [
    "CaseChange",
    "CaseCheck",
    "CaseRow",
    "Filters",
    "PolicyCatalog",
    "ReplaySummary",
    "VerifySummary",
    "case_row",
    "compute_stats",
    "list_rows",
    "new_summary",
    "replay_case",
    "replay_store",
    "verify_case",
    "verify_store",
]
