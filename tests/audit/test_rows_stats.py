"""Audit list rows, their filters, and the statistics of a small hand-made store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bwvdisclose.audit.policies import PolicyCatalog
from bwvdisclose.audit.rows import CaseRow, Filters, describe, list_rows
from bwvdisclose.audit.stats import compute_stats, percentile
from bwvdisclose.policy import Policy
from tests.audit.conftest import copy_store


@pytest.fixture(scope="module")
def catalog(policy: Policy) -> PolicyCatalog:
    return PolicyCatalog(policy)


def _rows(store: Path, catalog: PolicyCatalog, **filters: object) -> list[CaseRow]:
    return list(list_rows(store, catalog, Filters(**filters)))  # type: ignore[arg-type]


def test_hand_made_rows(hand_store: Path, catalog: PolicyCatalog) -> None:
    rows = _rows(hand_store, catalog)
    assert [r.case_id for r in rows] == [f"BWV-2024-000{n}" for n in range(1, 6)]
    first, second, third = rows[:3]
    assert (first.incident_type, first.recommended, first.decided) == (
        "arrest",
        "publish",
        "publish",
    )
    assert first.decision_maker == "Jane Smith"  # the current decision_maker sign-off
    assert second.decision_maker == "Insp Lee Park"  # not signed: the decision's actor
    assert (second.recommended, second.decided, second.departure) == (
        "do_not_publish",
        "publish",
        True,
    )
    assert (third.state, third.decided, third.departure, third.referrals) == (
        "awaiting advice", "", None, ["legal"],
    )  # fmt: skip
    assert first.opened == dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC)


def test_hand_made_stats(hand_store: Path, catalog: PolicyCatalog) -> None:
    stats = compute_stats(list_rows(hand_store, catalog))
    assert (stats["cases"], stats["damaged"], stats["decided"], stats["departures"]) == (5, 0, 4, 1)
    by = stats["by"]
    assert by["recommended"] == {"do_not_publish": 2, "publish": 2, "refer": 1}
    assert by["decided"] == {"do_not_publish": 1, "publish": 3}
    assert by["exceptions"] == {"community_tension": 1, "general_challenge": 3}
    assert by["blocks"] == {"data_protection": 1}
    assert by["referrals"] == {"command": 1, "dpo": 1, "iopc": 1, "legal": 2, "psd": 1}
    assert by["state"] == {"awaiting advice": 1, "decided": 4}
    t = stats["time_to_decision"]
    assert (t["decided"], t["median_hours"], t["p90_hours"]) == (4, 40.0, 100.0)
    assert t["histogram"] == {
        "under 1 day": 1, "1-2 days": 1, "2-7 days": 2,
        "1-2 weeks": 0, "2-4 weeks": 0, "4 weeks or more": 0,
    }  # fmt: skip
    assert stats["by_month"] == {
        "2024-03": {"opened": 2, "recommended": {"do_not_publish": 1, "publish": 1},
                    "decided": {"publish": 2}, "departures": 1},
        "2024-04": {"opened": 2, "recommended": {"do_not_publish": 1, "refer": 1},
                    "decided": {"do_not_publish": 1}, "departures": 0},
        "2024-05": {"opened": 1, "recommended": {"publish": 1},
                    "decided": {"publish": 1}, "departures": 0},
    }  # fmt: skip


def test_percentile_is_nearest_rank() -> None:
    assert percentile([1.0], 90) == 1.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0
    assert percentile([float(n) for n in range(1, 12)], 90) == 10.0


FILTERS: list[tuple[dict[str, object], object]] = [
    ({"recommended": "publish"}, lambda r: r.recommended == "publish"),
    ({"decided": "do_not_publish"}, lambda r: r.decided == "do_not_publish"),
    ({"exception": "criminal_appeal"}, lambda r: "criminal_appeal" in r.exceptions),
    ({"departure": True}, lambda r: r.departure is True),
    ({"departure": False}, lambda r: r.departure is False),
    ({"state": "recorded"}, lambda r: r.state == "recorded"),
    ({"decision_maker": "ana"}, lambda r: r.decision_maker == "Ana Diaz"),
    (
        {"opened_from": dt.date(2024, 10, 1), "opened_to": dt.date(2025, 3, 31)},
        lambda r: dt.date(2024, 10, 1) <= r.opened.date() <= dt.date(2025, 3, 31),
    ),
]


@pytest.mark.parametrize(("filters", "test"), FILTERS, ids=[str(f) for f, _ in FILTERS])
def test_filters_keep_exactly_the_matching_rows(
    synth_store: Path, catalog: PolicyCatalog, filters: dict[str, object], test: object
) -> None:
    everything = _rows(synth_store, catalog)
    kept = _rows(synth_store, catalog, **filters)
    assert kept, "the synthetic store should have rows for every filter"
    assert kept == [r for r in everything if test(r)]  # type: ignore[operator]


def test_filters_combine(synth_store: Path, catalog: PolicyCatalog) -> None:
    rows = _rows(synth_store, catalog, decided="publish", departure=True)
    assert all(r.decided == "publish" and r.departure for r in rows)


def test_a_damaged_case_is_listed_and_left_out_of_stats(
    hand_store: Path, catalog: PolicyCatalog, tmp_path: Path
) -> None:
    store = copy_store(hand_store, tmp_path / "store")
    (store / "BWV-2024-0002" / "HEAD").unlink()
    rows = _rows(store, catalog)
    damaged = rows[1]
    assert (damaged.case_id, damaged.state) == ("BWV-2024-0002", "damaged")
    assert "HEAD is missing" in damaged.problem
    assert _rows(store, catalog, state="damaged") == [damaged]
    stats = compute_stats(rows)
    assert (stats["cases"], stats["damaged"], stats["departures"]) == (4, 1, 0)


def test_months_without_cases_are_shown_with_zeros(catalog: PolicyCatalog) -> None:
    def row(n: int, month: int) -> CaseRow:
        opened = dt.datetime(2025, month, 3, 9, tzinfo=dt.UTC)
        return CaseRow(case_id=f"BWV-2025-{n:04d}", opened=opened, recommended="refer",
                       state="awaiting advice")  # fmt: skip

    stats = compute_stats([row(1, 1), row(2, 4)])
    assert list(stats["by_month"]) == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert stats["by_month"]["2025-02"] == {
        "opened": 0, "recommended": {}, "decided": {}, "departures": 0
    }  # fmt: skip
    spanned = compute_stats([row(1, 1)], (dt.date(2024, 12, 1), dt.date(2025, 2, 28)))
    assert list(spanned["by_month"]) == ["2024-12", "2025-01", "2025-02"]
    wide = compute_stats([row(1, 1)], (dt.date(1900, 1, 1), None))  # not a century of months
    assert list(wide["by_month"]) == ["2025-01"]


def test_recommended_against_decided_and_departures_with_justifications(
    hand_store: Path, catalog: PolicyCatalog
) -> None:
    stats = compute_stats(list_rows(hand_store, catalog))
    assert stats["recommended_vs_decided"] == {
        "do_not_publish": {"do_not_publish": 1, "publish": 1},
        "publish": {"publish": 2},
    }
    (departure,) = stats["departure_cases"]
    assert departure == {
        "case_id": "BWV-2024-0002",
        "decided_at": "2024-03-16",
        "recommended": "do_not_publish",
        "decided": "publish",
        "decision_maker": "Insp Lee Park",
        "justification": "Justified in the case file.",
    }
    rows = {r.case_id: r for r in list_rows(hand_store, catalog)}
    assert rows["BWV-2024-0002"].justification == "Justified in the case file."
    assert rows["BWV-2024-0001"].justification == ""  # followed the recommendation


def test_filters_read_as_words() -> None:
    assert describe(Filters()) == "all cases"
    words = describe(Filters(opened_from=dt.date(2025, 1, 1), departure=True, decided="publish"))
    assert words == (
        "cases opened from 01 Jan 2025; decided publish; departures from the recommendation only"
    )
    assert "True" not in words and "departure " not in words


def test_due_means_live_releases_on_or_past_their_review_date() -> None:
    import datetime as dt

    from bwvdisclose.audit.rows import CaseRow, is_due

    day = dt.date(2026, 3, 1)
    out = CaseRow(case_id="BWV-2026-0001", live_releases=1, review_by=day)
    assert not is_due(out, day - dt.timedelta(days=1))
    assert is_due(out, day) and is_due(out, day + dt.timedelta(days=30))
    assert not is_due(out.model_copy(update={"live_releases": 0}), day)  # withdrawn
    assert is_due(out.model_copy(update={"review_by": None}), day)  # decided with none set
