from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.conftest import DATA, Invoke

ANSWERS = DATA / "answers"


def _stable(text: str) -> str:
    """The policy hash changes with every edit of the policy folder; snapshots ignore it."""
    return re.sub(r"[0-9a-f]{64}|sha256 [0-9a-f]{16}", "<sha256>", text)


@pytest.mark.parametrize("name", ["rave.yaml", "objection.yaml", "viral.json"])
def test_text_output(invoke: Invoke, name: str, snapshot: SnapshotAssertion) -> None:
    result = invoke("evaluate", str(ANSWERS / name))
    assert result.exit_code == 0, result.output
    assert _stable(result.output) == snapshot


@pytest.mark.parametrize("name", ["rave.yaml", "objection.yaml"])
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
