"""One row per stored case for auditors: what was recommended and decided, by whom, where it stands.

`case_row` folds one case; `list_rows` streams the rows of a whole store that pass
the `Filters`. A case that fails verification still gets a row, in state `damaged`,
with the problem, so a listing never hides it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from bwvdisclose.audit.policies import PolicyCatalog
from bwvdisclose.audit.scan import map_cases, read_state
from bwvdisclose.case import CaseState
from bwvdisclose.cases import status
from bwvdisclose.store import CaseStore, open_store

DAMAGED = "damaged"
STATES = (
    "answering", "awaiting advice", "ready for decision", "decided", "signed", "recorded",
    "released", "withdrawn",
)  # fmt: skip
COLUMNS = (
    "case_id", "opened", "incident_type", "recommended", "decided", "departure",
    "exceptions", "decision_maker", "state",
)  # fmt: skip


class CaseRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    opened: dt.datetime | None = None
    incident_type: str = ""
    recommended: str = ""
    decided: str = ""
    departure: bool | None = None  # None: no current decision
    exceptions: list[str] = []
    blocked_by: list[str] = []
    referrals: list[str] = []  # every referral the recommendation triggered
    decision_maker: str = ""
    decided_at: dt.datetime | None = None
    review_by: dt.date | None = None  # the current decision's review date
    releases: int = 0  # releases logged (DPA 2018 s.62)
    withdrawals: int = 0
    live_releases: int = 0  # releases not withdrawn
    released_at: dt.datetime | None = None  # the first live release
    released_to: str = ""
    justification: str = ""  # the written justification of a departure
    state: str = DAMAGED
    problem: str = ""


class Filters(BaseModel):
    """Every filter given must hold; dates are UTC days, both ends included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    recommended: str | None = None
    decided: str | None = None
    exception: str | None = None
    decision_maker: str | None = None  # case-insensitive, part of the name will do
    departure: bool | None = None
    state: str | None = None

    def matches(self, row: CaseRow) -> bool:
        day = row.opened.date() if row.opened else None
        checks = (
            self.opened_from is None or (day is not None and day >= self.opened_from),
            self.opened_to is None or (day is not None and day <= self.opened_to),
            self.recommended is None or row.recommended == self.recommended,
            self.decided is None or row.decided == self.decided,
            self.exception is None or self.exception in row.exceptions,
            self.departure is None or row.departure is self.departure,
            self.state is None or row.state == self.state,
            self.decision_maker is None
            or self.decision_maker.casefold() in row.decision_maker.casefold(),
        )
        return all(checks)


def describe(filters: Filters) -> str:
    """The filters in words, for the report's scope line: `all cases` when none is given."""
    f = filters
    parts = [
        f"opened from {f.opened_from:%d %b %Y}" if f.opened_from else "",
        f"opened up to {f.opened_to:%d %b %Y}" if f.opened_to else "",
        f"recommended {f.recommended.replace('_', ' ')}" if f.recommended else "",
        f"decided {f.decided.replace('_', ' ')}" if f.decided else "",
        f"exception {f.exception.replace('_', ' ')} met" if f.exception else "",
        f"decision maker's name contains '{f.decision_maker}'" if f.decision_maker else "",
        {True: "departures from the recommendation only", False: "decisions that follow the "
         "recommendation only", None: ""}[f.departure],
        f"where cases stand: {f.state}" if f.state else "",
    ]  # fmt: skip
    chosen = [p for p in parts if p]
    return "cases " + "; ".join(chosen) if chosen else "all cases"


def row_of(state: CaseState, catalog: PolicyCatalog) -> CaseRow:
    rec: dict[str, Any] = state.recommendation or {}
    decision = state.decision
    if decision is not None and decision.seq < (state.recommendation_seq or 0):
        decision = None  # superseded: the recommendation changed after it
    makers = [s for s in state.current_signoffs() if s.role == "decision_maker"]
    maker = makers[-1].signer.name if makers else (decision.actor.name if decision else "")
    incident = state.answers.get("incident.type")
    live = state.live_releases()
    review = state.decision.review_by if state.decision else None
    return CaseRow(
        case_id=state.case_id,
        opened=state.intake.opened_at,
        incident_type=str(incident.value) if incident else "",
        recommended=str(rec.get("outcome", "")),
        decided=decision.outcome if decision else "",
        departure=decision.departure if decision else None,
        exceptions=list(rec.get("exceptions_met", [])),
        blocked_by=list(rec.get("blocked_by", [])),
        referrals=list(rec.get("referrals_triggered", rec.get("referrals", []))),
        decision_maker=maker,
        decided_at=decision.at if decision else None,
        review_by=dt.date.fromisoformat(review) if review else None,
        releases=len(state.releases),
        withdrawals=len(state.withdrawals),
        live_releases=len(live),
        released_at=live[0].released_at if live else None,
        released_to=live[0].to if live else "",
        justification=decision.rationale if decision and decision.departure else "",
        state=status(state, catalog.find(state.policy).policy),
    )


def case_row(store: CaseStore, catalog: PolicyCatalog, case_id: str) -> CaseRow:
    state = read_state(store, case_id)
    if isinstance(state, str):
        return CaseRow(case_id=case_id, problem=state)
    return row_of(state, catalog)


def _filtered_row(
    store: CaseStore, catalog: PolicyCatalog, filters: Filters, case_id: str
) -> CaseRow | None:
    row = case_row(store, catalog, case_id)
    return row if filters.matches(row) else None


def list_rows(
    root: Path | CaseStore,
    catalog: PolicyCatalog,
    filters: Filters | None = None,
    workers: int | None = None,
) -> Iterator[CaseRow]:
    """The rows of every case in store order that pass `filters`, one case read at a time."""
    store = open_store(root)
    task = partial(_filtered_row, store, catalog, filters or Filters())
    for row in map_cases(task, store.list_ids(), workers, store.prefetch):
        if row is not None:
            yield row


def is_due(row: CaseRow, on: dt.date) -> bool:
    """Released footage not withdrawn whose review date is on or before `on` (or never set)."""
    return row.live_releases > 0 and (row.review_by is None or row.review_by <= on)


def flat(row: CaseRow) -> dict[str, str]:
    """The row as text cells (CSV): lists joined with `;`, yes/no, UTC times with Z."""
    cells: dict[str, str] = {}
    for key, value in row.model_dump().items():
        if isinstance(value, list):
            cells[key] = ";".join(value)
        elif isinstance(value, bool):
            cells[key] = "yes" if value else "no"
        elif isinstance(value, dt.datetime):
            cells[key] = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(value, dt.date):
            cells[key] = value.isoformat()
        else:
            cells[key] = "" if value is None else str(value)
    return cells
