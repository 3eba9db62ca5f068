"""Every free-text field has a documented limit; beyond it, one clear error and nothing written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bwvdisclose.limits import LIMITS, MAX_CLIPS
from tests.conftest import POLICY_2020_1, ROOT, Invoke
from tests.flow.conftest import DEMO as FLOW_DEMO

DEMO = str(FLOW_DEMO)
ENV = {"BWVDISCLOSE_USER": "PC Jane Smith", "BWVDISCLOSE_NUMBER": "PC1234"}
START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
INTAKE = {"--incident-ref": "CAD 1", "--occurred": "2026-11-20T14:30", "--location": "Whitehall"}


def _new(invoke: Invoke, store: Path, **changes: str) -> tuple[int, str, str]:
    args = [x for k, v in {**INTAKE, **changes}.items() for x in (k, v)]
    result = invoke("new", *args, "--answers", DEMO, "--store", str(store), env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("option", "field"),
    [
        ("--incident-ref", "incident reference"),
        ("--location", "location"),
        ("--notes", "notes"),
        ("--clip", "clip reference"),
    ],
)
def test_intake_text_over_its_limit_is_refused(
    invoke: Invoke, tmp_path: Path, option: str, field: str
) -> None:
    limit = LIMITS[field]
    store = tmp_path / "store"
    code, out, _ = _new(invoke, store, **{option: "x" * limit})
    assert code == 0, out  # at the limit: fine
    code, out, err = _new(invoke, store, **{option: "y" * (limit + 1)})
    assert code == 1 and out == ""
    assert err == (
        f"error: the {field} is {limit + 1:,} characters long; the limit is {limit:,} "
        "(see Limits in the README)\n"
    )
    assert len(list(store.glob("BWV-*"))) == 1  # nothing was opened


def test_too_many_clips(invoke: Invoke, tmp_path: Path) -> None:
    args = [x for n in range(MAX_CLIPS + 1) for x in ("--clip", f"c{n}")]
    result = invoke(
        "new",
        *args,
        *[x for kv in INTAKE.items() for x in kv],
        "--answers",
        DEMO,
        "--store",
        str(tmp_path / "s"),
        env=ENV,
    )
    assert result.exit_code == 1 and "the limit is 100" in result.stderr


def test_decision_rationale_and_change_reason_over_their_limits(
    invoke: Invoke, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    code, out, err = _new(invoke, store)
    assert code == 0, err
    case_id = out.strip()
    log = (store / case_id / "events.jsonl").read_bytes()
    big = "z" * (LIMITS["decision rationale"] + 1)
    result = invoke(
        "decide",
        case_id,
        "--outcome",
        "do_not_publish",
        "--rationale",
        big,
        "--store",
        str(store),
        env=ENV,
    )
    assert result.exit_code == 1 and "decision rationale is 4,001 characters" in result.stderr
    result = invoke(
        "assess",
        case_id,
        "--answer",
        "force.shown=no",
        "--rationale",
        "r",
        "--reason",
        "w" * (LIMITS["reason for a change"] + 1),
        "--store",
        str(store),
        env=ENV,
    )
    assert result.exit_code == 1 and "reason for a change is 4,001" in result.stderr
    result = invoke(
        "assess",
        case_id,
        "--answer",
        "force.shown=no",
        "--rationale",
        "r",
        "--reason",
        "r",
        "--user",
        "u" * 201,
        "--store",
        str(store),
        env=ENV,
    )
    assert result.exit_code == 1 and "the name is 201 characters long" in result.stderr
    assert (store / case_id / "events.jsonl").read_bytes() == log


def test_every_limit_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Limits", 1)[1].split("\n## ", 1)[0]
    for field, limit in LIMITS.items():
        assert re.search(rf"\| {re.escape(field)} \|[^\n]*\b{limit:,}\b", table), field


def test_long_unbroken_words_get_break_opportunities_on_the_page_only() -> None:
    from bwvdisclose.record.html import BREAK_EVERY, LONG_RUN, breakable

    word = "x" * 1000
    shown = breakable(f"see {word} and a hash {'ab' * 32}")
    assert shown.replace("\u200b", "") == f"see {word} and a hash {'ab' * 32}"
    assert all(len(run) <= BREAK_EVERY for run in shown.split(" ")[1].split("\u200b"))
    assert breakable("y" * LONG_RUN) == "y" * LONG_RUN  # ordinary words and hashes untouched


def test_the_record_wraps_long_words_and_echoes_long_texts_once(tmp_path: Path) -> None:
    """A 4,000-character unbroken rationale: wrapped anywhere, in full once, clipped elsewhere."""
    from bwvdisclose.answers import load_answers
    from bwvdisclose.case import Actor, fold
    from bwvdisclose.cases import Cases, Intake
    from bwvdisclose.localtime import parse_uk_time
    from bwvdisclose.policy import load_policy
    from bwvdisclose.policy.load import resolve_policy_folder
    from bwvdisclose.record.build import attachments_for, record_html
    from bwvdisclose.record.context import ECHO
    from bwvdisclose.store.folder import FolderStore

    policy = load_policy(POLICY_2020_1)
    cases = Cases(FolderStore(tmp_path / "s"), policy)
    who = Actor(name="PC Jane Smith", role="duty officer", number="PC1234")
    intake = Intake("CAD 1", parse_uk_time("2026-11-20T14:30"), "L" * LIMITS["location"], [])
    case_id = cases.open(who, intake)
    long = "R" * LIMITS["rationale"]
    answers = FLOW_DEMO.read_text()
    answers = answers.replace('"Protesters\' faces visible throughout"', long)
    path = tmp_path / "a.yaml"
    path.write_text(answers)
    cases.apply(case_id, who, load_answers(path, policy), None)
    events = cases.store.read(case_id)
    html = record_html(
        fold(events), events, policy, attachments_for(b"", resolve_policy_folder(None)), START
    )
    flat = html.replace("\u200b", "")
    assert flat.count(long) == 1  # in full once, with the answer
    assert flat.count("R" * ECHO + "… (in full") >= 2  # clipped where it is repeated
    css = (ROOT / "templates" / "record.css").read_text()
    assert "overflow-wrap: anywhere" in css
