"""Case commands through the CLI: open, answer, show, list, verify, change, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.flow.conftest import DEMO, ENV, INTAKE

WHO = {k: v for k, v in ENV.items() if k.startswith("BWVDISCLOSE_")}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def _new(invoke: Invoke, store: Path, answers: Path = DEMO) -> str:
    result = invoke(
        "new", *INTAKE, "--clip", "BWV-1", "--answers", str(answers), "--store", str(store), env=WHO
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_new_with_answers_prints_only_the_case_id(invoke: Invoke, store: Path) -> None:
    case_id = _new(invoke, store)
    assert case_id == "BWV-2026-0001" or case_id.startswith("BWV-")
    assert (store / case_id / "events.jsonl").is_file()
    assert oct((store / case_id).stat().st_mode & 0o777) == "0o700"


def test_show_json_has_state_recommendation_and_history(invoke: Invoke, store: Path) -> None:
    case_id = _new(invoke, store)
    result = invoke("show", case_id, "--store", str(store), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["recommendation"]["outcome"] == "publish_with_redactions"
    assert doc["status"] == "ready for decision"
    assert doc["answers"]["force.shown"]["by"]["number"] == "PC1234"
    assert len(doc["history"]) == 19


def test_show_text_reads_as_a_case(invoke: Invoke, store: Path) -> None:
    case_id = _new(invoke, store)
    out = invoke("show", case_id, "--store", str(store)).output
    assert f"Case {case_id}  (ready for decision)" in out
    assert "Recommendation: PUBLISH WITH REDACTIONS" in out
    assert "Answer history" in out


def test_list(invoke: Invoke, store: Path) -> None:
    first, second = _new(invoke, store), _new(invoke, store)
    result = invoke("list", "--store", str(store), "--format", "json")
    rows = json.loads(result.output)
    assert [r["case_id"] for r in rows] == [first, second]
    assert rows[0]["recommended"] == "publish_with_redactions"


def test_advice_arriving_later(invoke: Invoke, store: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(
        DEMO.read_text().replace(
            "legal.iopc_status: {value: none", "legal.iopc_status: {value: referred"
        )
    )
    case_id = _new(invoke, store, answers)
    state = json.loads(invoke("show", case_id, "--store", str(store), "--format", "json").output)
    assert state["recommendation"]["outcome"] == "refer"
    result = invoke(
        "assess",
        case_id,
        "--answer",
        "iopc.advice=no_objection",
        "--rationale",
        "IOPC email 21/11 10:40",
        "--store",
        str(store),
        env=WHO,
    )
    assert result.exit_code == 0, result.output
    assert "1 answer(s) recorded, 0 changed" in result.output
    assert "Recommendation: PUBLISH WITH REDACTIONS" in result.output


def test_changing_an_answer_needs_a_reason_and_is_logged(invoke: Invoke, store: Path) -> None:
    case_id = _new(invoke, store)
    args = ["assess", case_id, "--answer", "officers.safety_risk=yes", "--store", str(store)]
    refused = invoke(*args, env=WHO)
    assert refused.exit_code == 1
    assert "changing an answer needs --reason: officers.safety_risk (no -> yes)" in refused.stderr
    reason = ("--reason", "Threats posted against the officers")
    unexplained = invoke(*args, *reason, env=WHO)
    assert unexplained.exit_code == 1
    assert "a rationale is required for: officers.safety_risk" in unexplained.stderr
    done = invoke(*args, *reason, "--rationale", "Intelligence report 17/11", env=WHO)
    assert done.exit_code == 0, done.output
    doc = json.loads(invoke("show", case_id, "--store", str(store), "--format", "json").output)
    change = doc["history"][-1]
    assert change["type"] == "answer_changed"
    assert (change["previous"], change["value"]) == (False, True)
    assert change["reason"] == "Threats posted against the officers"
    assert doc["recommendation"]["outcome"] == "refer"


def test_bad_answers_file_changes_nothing(invoke: Invoke, store: Path, tmp_path: Path) -> None:
    case_id = _new(invoke, store)
    before = (store / case_id / "events.jsonl").read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("media.viral: false\nforce.shown: perhaps\n")
    result = invoke(
        "assess", case_id, "--answers", str(bad), "--reason", "x", "--store", str(store), env=WHO
    )
    assert result.exit_code == 1
    assert "force.shown: 'perhaps' is not valid" in result.stderr
    assert (store / case_id / "events.jsonl").read_bytes() == before


def test_verify_ok_and_tampered(invoke: Invoke, store: Path) -> None:
    case_id = _new(invoke, store)
    ok = invoke("verify", case_id, "--store", str(store))
    assert ok.exit_code == 0 and "hash chain intact" in ok.output
    log = store / case_id / "events.jsonl"
    log.write_bytes(log.read_bytes().replace(b"Whitehall protest", b"Whitehall protesT"))
    bad = invoke("verify", case_id, "--store", str(store))
    assert bad.exit_code == 1
    assert bad.stderr.startswith(f"error: {case_id}: FAILED at event 2:")


@pytest.mark.parametrize("case_id", ["../etc", "BWV-2026-1/../../x", "/tmp/x", "nonsense"])
def test_case_ids_cannot_name_paths(invoke: Invoke, store: Path, case_id: str) -> None:
    store.mkdir()
    result = invoke("show", case_id, "--store", str(store))
    assert result.exit_code == 1
    assert "is not a case ID" in result.stderr


def test_unknown_case(invoke: Invoke, store: Path) -> None:
    _new(invoke, store)
    result = invoke("show", "BWV-2026-9999", "--store", str(store))
    assert result.exit_code == 1
    assert "no case BWV-2026-9999" in result.stderr


def test_new_scripted_needs_intake(invoke: Invoke, store: Path) -> None:
    result = invoke("new", "--answers", str(DEMO), "--store", str(store), env=WHO)
    assert result.exit_code == 2
    assert "--incident-ref is required" in result.output


def test_schema_events(invoke: Invoke) -> None:
    schema = json.loads(invoke("schema", "events").output)
    assert "case_opened" in json.dumps(schema)
