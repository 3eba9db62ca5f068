"""The disclosure lifecycle through the CLI: review date, notes, release, takedown, audit due.

One case is walked through in order (decide, sign, record, release, withdraw), with every
refusal tried at the point where it applies; a record is rendered once (it is slow).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import POLICY_2020_1
from tests.flow.conftest import (
    DEMO,
    DEMO_NOTES,
    INTAKE,
    PASS_ENV,
    REVIEW_BY,
    Keys,
    new_case,
    run,
    sign_all,
)

TODAY = dt.datetime.now(dt.UTC).date()


def _show(store: Path, case_id: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run("show", case_id, "--store", str(store), "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _decide(store: Path, case_id: str, *extra: str) -> tuple[int, str, str]:
    return run(
        "decide", case_id, "--outcome", "publish_with_redactions", *extra,
        "--store", str(store), "--user", "Amy Ward", "--number", "4711",
    )  # fmt: skip


def _notes(notes: dict[str, str] = DEMO_NOTES) -> list[str]:
    return [f"--note={k}={v}" for k, v in notes.items()]


def _disclosed(store: Path, case_id: str, *extra: str) -> tuple[int, str, str]:
    return run("disclosed", case_id, *extra, "--store", str(store))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "needs a review date"),
        (["--review-by", "tomorrow"], "is not a day like 2026-12-31"),
        (["--review-by", TODAY.isoformat()], "is not after today"),
        (["--review-by", "2099-01-01"], "more than ten years ahead"),
        (["--review-by", REVIEW_BY], "missing: amplification_warning, explanatory_context"),
        (
            ["--review-by", REVIEW_BY, *_notes({**DEMO_NOTES, "stills_only": "n/a"})],
            "--note for stills_only: not a condition of this decision",
        ),
        (
            ["--review-by", REVIEW_BY, *_notes({**DEMO_NOTES, "amplification_warning": " "})],
            "missing: amplification_warning",
        ),
        (
            [
                "--review-by",
                REVIEW_BY,
                *_notes({**DEMO_NOTES, "amplification_warning": "x" * 4001}),
            ],
            "--note amplification_warning is 4001 characters; at most 4000",
        ),
        (["--review-by", REVIEW_BY, "--note", "no equals sign"], "expected ID=TEXT"),
    ],
)
def test_decide_to_publish_refusals(tmp_path: Path, extra: list[str], message: str) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    code, _, err = _decide(store, case_id, *extra)
    assert code in (1, 2) and message in err, err
    assert _show(store, case_id)["decision"] is None  # nothing was written


def test_a_review_date_is_only_for_a_decision_to_publish(tmp_path: Path) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    code, _, err = run(
        "decide", case_id, "--outcome", "do_not_publish", "--rationale", "Family objects",
        "--review-by", REVIEW_BY, "--store", str(store),
    )  # fmt: skip
    assert code == 1 and "a review date is set only for a decision to publish" in err


def test_the_lifecycle_of_a_release(tmp_path: Path, keys: Keys) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    code, _, err = _disclosed(store, case_id, "--to", "BBC News")
    assert code == 1 and "has no current decision" in err

    code, out, err = _decide(store, case_id, "--review-by", REVIEW_BY, *_notes())
    assert code == 0, err
    assert f"Review the released footage by {REVIEW_BY}" in out
    decision = _show(store, case_id)["decision"]
    assert decision["review_by"] == REVIEW_BY
    assert decision["condition_notes"] == DEMO_NOTES

    code, _, err = _disclosed(store, case_id, "--to", "BBC News")
    assert code == 1 and "is not signed off; still needed: Decision maker, Legal" in err
    sign_all(store, keys, case_id)
    code, _, err = _disclosed(store, case_id, "--to", "BBC News")
    assert code == 1 and "has no decision record for its current decision" in err

    code, _, err = run(
        "record", case_id, "--key", keys.p12("amy-ward"), "--passphrase-env", PASS_ENV,
        "--store", str(store),
    )  # fmt: skip
    assert code == 0, err
    assert _show(store, case_id)["status"] == "recorded"

    for extra, message in [
        (["--to", " "], "--to (who received it, or where it was published) must not be empty"),
        (["--to", "x" * 301], "is 301 characters; at most 300"),
        (["--to", "BBC", "--url", "javascript:alert(1)"], "--url must be an http:// or https://"),
        (["--to", "BBC", "--url", "https://x/" + "a" * 2000], "at most 2000"),
        (["--to", "BBC", "--at", "2999-01-01T10:00"], "is in the future"),
        (["--to", "BBC", "--at", "2020-01-01T10:00"], "is before the decision record was rendered"),
        (["--to", "BBC", "--at", "yesterday"], "is not a date and time"),
    ]:
        code, _, err = _disclosed(store, case_id, *extra)
        assert code in (1, 2) and message in err, (extra, err)
    assert _show(store, case_id)["releases"] == []

    code, out, err = _disclosed(
        store, case_id, "--to", "Met Police YouTube channel",
        "--url", "https://www.youtube.com/@metpoliceuk",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = _disclosed(store, case_id, "--to", "Evening Standard (journalist's request)")
    assert code == 0, err
    shown = _show(store, case_id)
    assert shown["status"] == "released"
    assert [r["to"] for r in shown["releases"]] == [
        "Met Police YouTube channel",
        "Evening Standard (journalist's request)",
    ]
    assert all(r["decision_seq"] == shown["decision"]["seq"] for r in shown["releases"])
    assert [s["current"] for s in shown["signoffs"]] == [True, True, True]  # still current

    code, out, _ = run("show", case_id, "--store", str(store))
    assert "Releases and withdrawals" in out and "Met Police YouTube channel" in out
    assert f"Review the released footage by {REVIEW_BY}" in out

    review = dt.date.fromisoformat(REVIEW_BY)
    day_before = (review - dt.timedelta(days=1)).isoformat()
    code, out, _ = run("audit", "due", "--store", str(store), "--on", day_before)
    assert code == 0 and "Nothing released is due" in out
    code, out, _ = run("audit", "due", "--store", str(store), "--on", REVIEW_BY)
    assert (
        code == 0 and f"{case_id}  publish_with_redactions  review by {REVIEW_BY}, due today" in out
    )
    late = (review + dt.timedelta(days=3)).isoformat()
    code, out, _ = run("audit", "due", "--store", str(store), "--on", late, "--format", "json")
    assert [(r["case_id"], r["overdue_days"]) for r in json.loads(out)] == [(case_id, "3")]

    code, _, err = run("withdrawn", case_id, "--reason", " ", "--store", str(store))
    assert code == 1 and "--reason must not be empty" in err
    code, out, err = run(
        "withdrawn", case_id, "--reason", "Review: the appeal has ended", "--store", str(store)
    )
    assert code == 0 and "withdrawal of 2 release(s) logged" in out, err
    code, _, err = run("withdrawn", case_id, "--reason", "again", "--store", str(store))
    assert code == 1 and "every release was withdrawn on" in err
    code, _, err = _disclosed(store, case_id, "--to", "BBC News")
    assert code == 1 and "releasing it again needs a new decision" in err
    shown = _show(store, case_id)
    assert shown["status"] == "withdrawn"
    assert shown["withdrawals"][0]["releases"] == [r["seq"] for r in shown["releases"]]
    code, out, _ = run("audit", "due", "--store", str(store), "--on", late)
    assert "Nothing released is due" in out

    code, out, _ = run("audit", "stats", "--store", str(store), "--format", "json")
    disclosure = json.loads(out)["disclosure"]
    assert disclosure == {
        "releases": 2, "withdrawals": 1, "cases_released": 1, "cases_live": 0,
        "cases_withdrawn": 1,
    }  # fmt: skip
    code, out, _ = run("audit", "list", "--store", str(store), "--state", "withdrawn")
    assert case_id in out
    code, out, _ = run("verify", case_id, "--store", str(store))
    assert code == 0, out
    code, out, _ = run("audit", "verify", "--store", str(store))
    assert code == 0, out


def test_nothing_is_released_under_a_decision_not_to_publish(tmp_path: Path, keys: Keys) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    code, _, err = run(
        "decide", case_id, "--outcome", "do_not_publish", "--rationale", "Family objects",
        "--store", str(store), "--user", "Amy Ward", "--number", "4711",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = _disclosed(store, case_id, "--to", "BBC News")
    assert code == 1 and "is decided do_not_publish: nothing may be released" in err
    code, _, err = run("withdrawn", case_id, "--reason", "x", "--store", str(store))
    assert code == 1 and "has no recorded release to withdraw" in err


@pytest.mark.default_policy
def test_new_cases_use_2020_2_and_stored_cases_keep_2020_1(tmp_path: Path) -> None:
    store = tmp_path / "s"
    code, out, err = run(
        "new", *INTAKE, "--answers", str(DEMO), "--store", str(store),
        "--criteria", str(POLICY_2020_1),
    )  # fmt: skip
    assert code == 0, err
    old = out.strip()
    # The default is now 2020.2, yet the stored case is shown and decided under 2020.1.
    shown = _show(store, old)
    assert shown["recommendation"]["policy"]["version"] == "2020.1"
    assert shown["recommendation"]["outcome"] == "publish_with_redactions"
    code, _, err = _decide(store, old, "--review-by", REVIEW_BY, *_notes())
    assert code == 0, err
    assert _show(store, old)["recommendation"]["policy"]["version"] == "2020.1"
    # A new case with the same (2020.1) answers is opened under 2020.2, which asks more.
    code, out, err = run("new", *INTAKE, "--answers", str(DEMO), "--store", str(store))
    assert code == 0, err
    new = _show(store, out.strip())["recommendation"]
    assert (new["policy"]["version"], new["outcome"]) == ("2020.2", "incomplete")
    assert "victims.views" in new["missing"] and "people.deceased" in new["missing"]
