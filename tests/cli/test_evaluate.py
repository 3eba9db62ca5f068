from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.conftest import DATA, Invoke

ANSWERS = DATA / "answers"


def _stable(text: str) -> str:
    """The policy hash changes with every edit of the policy folder; snapshots ignore it."""
    return re.sub(r"[0-9a-f]{64}|sha256 [0-9a-f]{16}", "<sha256>", text)


@pytest.mark.parametrize(
    "name", ["rave.yaml", "objection.yaml", "viral.json", "car-stop.yaml", "refer.yaml"]
)
def test_text_output(invoke: Invoke, name: str, snapshot: SnapshotAssertion) -> None:
    result = invoke("evaluate", str(ANSWERS / name))
    assert result.exit_code == 0, result.output
    assert _stable(result.output) == snapshot


@pytest.mark.parametrize("name", ["rave.yaml", "objection.yaml", "car-stop.yaml", "refer.yaml"])
def test_json_output(invoke: Invoke, name: str, snapshot: SnapshotAssertion) -> None:
    result = invoke("evaluate", str(ANSWERS / name), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    for key in (
        "outcome",
        "exceptions_met",
        "blocked_by",
        "referrals",
        "conditions",
        "redactions",
        "missing",
    ):
        assert key in doc
    assert set(doc["policy"]) == {"id", "version", "sha256"}
    summary = {k: v for k, v in doc.items() if k not in ("trace", "policy")}
    assert summary == snapshot


def test_text_starts_with_outcome(invoke: Invoke) -> None:
    result = invoke("evaluate", str(ANSWERS / "rave.yaml"))
    assert result.output.startswith("Recommendation: PUBLISH WITH REDACTIONS\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("force.shwon: true\n", "force.shwon: unknown question (did you mean force.shown?)"),
        ("force.shown: 3\n", "force.shown: 3 is not valid; expected true or false"),
        ("incident.type: rave\n", "incident.type: 'rave' is not allowed; expected one of:"),
        ("force.shown: [\n", "node content"),
        ("- just\n- a list\n", "expected a mapping of question IDs to answers"),
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
    ],
)
def test_bad_answers_one_line_exit_1(
    invoke: Invoke, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(content)
    result = invoke("evaluate", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_exit_1(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("evaluate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.yaml'}: no such answers file\n"


def test_bad_criteria_folder_exit_1(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("evaluate", str(ANSWERS / "rave.yaml"), "--criteria", str(tmp_path))
    assert result.exit_code == 1
    assert "not a policy folder" in result.stderr


def test_usage_error_exit_2(invoke: Invoke) -> None:
    result = invoke("evaluate", str(ANSWERS / "rave.yaml"), "--format", "xml")
    assert result.exit_code == 2


def test_incomplete_lists_questions(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "appeal.active: false\ntension.significant_concern: false\n"
        "challenge.conveys_general_challenge: false\n"
    )
    result = invoke("evaluate", str(path))
    assert result.exit_code == 0
    assert "INCOMPLETE" in result.output
    assert "  - media.viral: Is third-party footage" in result.output


def _json(invoke: Invoke, name: str) -> dict[str, Any]:
    result = invoke("evaluate", str(ANSWERS / name), "--format", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.output)
    return doc


def test_every_consideration_past_the_deciding_step(invoke: Invoke) -> None:
    """The car stop: no exception decides, yet the block, the IOPC and the DPO are all named."""
    doc = _json(invoke, "car-stop.yaml")
    assert doc["outcome"] == "do_not_publish" and doc["decided_by"] == "no_exception"
    assert doc["would_also_apply"] == {
        "blocked_by": ["data_protection"],
        "referrals": ["dpo", "iopc", "psd"],
    }
    referrals = {t["id"]: t for t in doc["trace"] if t["kind"] == "referral"}
    assert set(referrals) == {"legal", "iopc", "psd", "dpo", "command"}
    # a referral checked and not triggered carries the answer that settled it
    assert referrals["legal"]["held"] is False
    assert [a["id"] for a in referrals["legal"]["answers"]] == ["legal.active_proceedings"]
    text = invoke("evaluate", str(ANSWERS / "car-stop.yaml")).output
    also = text.split("Would also apply", 1)[1].split("\nExceptions", 1)[0]
    for needle in (
        "[would block] data_protection",
        "dp.children_or_vulnerable = yes: A three-month-old baby is in the car",
        "dp.redaction_feasible = no",
        "iopc: Independent Office for Police Conduct",
        "legal.iopc_status = investigating",
        "dpo: Data Protection Officer",
    ):
        assert needle in also, needle
    assert "[not referred] legal" in text and "[not referred] command" in text


def test_rationales_travel_with_answers(invoke: Invoke) -> None:
    doc = _json(invoke, "car-stop.yaml")
    answers = {a["id"]: a for t in doc["trace"] for a in t["answers"]}
    assert (
        answers["dp.children_or_vulnerable"]["rationale"] == "A three-month-old baby is in the car"
    )
    text = invoke("evaluate", str(ANSWERS / "car-stop.yaml")).output
    assert "legal.iopc_status = investigating: IOPC investigation opened after a complaint" in text


def test_redactions_and_conditions_quote_their_clauses(invoke: Invoke, tmp_path: Path) -> None:
    answers = (ANSWERS / "rave.yaml").read_text() + "law.statutory_anonymity: true\n"
    answers = answers.replace("law.statutory_anonymity: false\n", "")
    path = tmp_path / "anon.yaml"
    path.write_text(answers)
    text = invoke("evaluate", str(path)).output
    redactions = text.split("Redactions to apply\n", 1)[1].split("\n\n", 1)[0]
    anonymity = redactions.split("- statutory_anonymity:", 1)[1]
    assert "CYPA1933: No picture may be published" in anonymity
    assert "SOAA1992: Complainants of sexual offences" in anonymity
    conditions = text.split("\nConditions", 1)[1].split("\n\n", 1)[0]
    assert "MEMO-FORCE:" in conditions and "MEMO-AMPLIFY:" in conditions


def test_what_would_change_is_not_cut_and_says_what_is_missing(invoke: Invoke) -> None:
    doc = _json(invoke, "refer.yaml")
    flips = [
        ([(c["id"], c["after"]) for c in f["changes"]], f["outcome"], f["missing"])
        for f in doc["what_would_change"]
    ]
    assert len(flips) > 12  # the old list stopped silently at 12
    assert ([("legal.advice", "no_objection")], "publish", []) in flips
    assert (
        [("dp.identifiable_third_parties", True)],
        "incomplete",
        ["dp.redaction_feasible"],
    ) in flips
    text = invoke("evaluate", str(ANSWERS / "refer.yaml")).output
    assert "dp.identifiable_third_parties: no -> yes needs answers to dp.redaction_feasible" in text
    assert "legal.advice: pending -> no_objection gives publish" in text
