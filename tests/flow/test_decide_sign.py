"""Deciding and signing: a person decides, departures are justified, sign-offs go stale."""

from __future__ import annotations

import json
from pathlib import Path

from tests.flow.conftest import DEMO, Keys, decide, new_case, run, sign, sign_all


def _state(store: Path, case_id: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run("show", case_id, "--store", str(store), "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_departure_needs_a_written_justification(tmp_path: Path) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    code, _, err = run("decide", case_id, "--outcome", "do_not_publish", "--store", str(store))
    assert code == 1
    assert "departs from the recommendation (publish with redactions)" in err
    assert "--rationale" in err
    decide(
        store,
        case_id,
        "do_not_publish",
        "Family of the man arrested asked us not to; reviewed with legal",
    )
    state = _state(store, case_id)
    assert state["decision"]["departure"] is True
    assert state["decision"]["recommended"] == "publish_with_redactions"
    assert state["status"] == "decided"


def test_no_decision_while_advice_is_awaited(tmp_path: Path) -> None:
    store = tmp_path / "s"
    answers = tmp_path / "a.yaml"
    answers.write_text(
        DEMO.read_text().replace(
            "legal.active_proceedings: {value: false", "legal.active_proceedings: {value: true"
        )
    )
    case_id = new_case(store, answers)
    code, _, err = run(
        "decide", case_id, "--outcome", "publish", "--rationale", "x", "--store", str(store)
    )
    assert code == 1
    assert "cannot decide while advice is awaited from: legal" in err


def test_no_decision_while_incomplete(tmp_path: Path) -> None:
    store = tmp_path / "s"
    answers = tmp_path / "a.yaml"
    answers.write_text("incident.type: protest\n")
    case_id = new_case(store, answers)
    code, _, err = run(
        "decide", case_id, "--outcome", "publish", "--rationale", "x", "--store", str(store)
    )
    assert code == 1
    assert "cannot decide while the recommendation is incomplete" in err


def test_sign_rules(tmp_path: Path, keys: Keys) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    code, _, err = sign(store, keys, case_id, "amy-ward", "decision_maker")
    assert code == 1 and "no current decision" in err
    decide(store, case_id)
    code, _, err = sign(store, keys, case_id, "sam-okafor", "data_protection")
    assert code == 1 and "this certificate is for the legal role, not data_protection" in err
    assert sign(store, keys, case_id, "amy-ward", "decision_maker")[0] == 0
    code, _, err = sign(store, keys, case_id, "pat-twohats", "legal")
    assert code == 1 and "one person cannot sign in two roles" in err
    assert sign(store, keys, case_id, "sam-okafor", "legal")[0] == 0
    code, _, err = sign(store, keys, case_id, "sam-okafor", "legal")
    assert code == 1 and "already signed" in err


def test_a_later_change_makes_signoffs_stale(tmp_path: Path, keys: Keys) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    sign_all(store, keys, case_id)
    assert _state(store, case_id)["status"] == "signed"
    code, _, err = run(
        "assess",
        case_id,
        "--answer",
        "media.viral=no",
        "--rationale",
        "Clip was taken down",
        "--store",
        str(store),
    )
    assert code == 0, err
    state = _state(store, case_id)
    assert [s["current"] for s in state["signoffs"]] == [False, False, False]
    assert state["status"] == "ready for decision"  # the recommendation changed: decide again
    code, _, err = run(
        "record",
        case_id,
        "--key",
        keys.p12("amy-ward"),
        "--passphrase-env",
        "TEST_PASSPHRASE",
        "--store",
        str(store),
    )
    assert code == 1
    assert "not ready for its record; still needed: decision" in err
    decide(store, case_id, notes={"explanatory_context_required": "Statement explains force"})
    sign_all(store, keys, case_id)
    assert _state(store, case_id)["status"] == "signed"


def test_wrong_passphrase_is_one_line_without_the_passphrase(tmp_path: Path, keys: Keys) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    code, _, err = run(
        "sign",
        case_id,
        "--role",
        "decision_maker",
        "--key",
        keys.p12("amy-ward"),
        "--passphrase-env",
        "BWVDISCLOSE_USER",
        "--store",
        str(store),
    )
    assert code == 1
    assert err.count("\n") == 1 and "wrong passphrase" in err
    assert "PC Jane Smith" not in err
