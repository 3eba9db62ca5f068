"""The synthetic store generator: whole decision table, plausible histories, deterministic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bwvdisclose.case import (
    AnswerChangedEvent,
    AnswerRecordedEvent,
    RecommendationComputedEvent,
    SignoffRecordedEvent,
    fold,
)
from bwvdisclose.policy import Policy, load_policy
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.synth import generate_store
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import TrustRoots
from bwvdisclose.trust.signoff import check_signoffs
from tests.audit.conftest import SYNTH_CASES
from tests.conftest import POLICY_2020_2

RESULT_KEYS = ("exceptions_met", "blocked_by", "referrals", "conditions", "redactions")


def _states(root: Path) -> Iterator[Any]:
    store = FolderStore(root)
    for case_id in store.list_ids():
        yield fold(store.read(case_id))


def test_every_result_of_the_decision_table_appears(synth_store: Path, policy: Policy) -> None:
    seen: dict[str, set[str]] = {key: set() for key in ("outcome", *RESULT_KEYS)}
    for state in _states(synth_store):
        rec = state.recommendation
        seen["outcome"].add(rec["outcome"])
        for key in RESULT_KEYS:
            seen[key].update(rec[key])
    assert seen["outcome"] == {"publish", "publish_with_redactions", "do_not_publish"} | {
        "refer",
        "incomplete",
    }
    assert seen["exceptions_met"] == {e.id for e in policy.exceptions}
    assert seen["blocked_by"] == {"data_protection"} | {r.id for r in policy.referrals}
    assert seen["referrals"] == {r.id for r in policy.referrals}
    assert seen["conditions"] == {c.id for c in policy.conditions}
    assert seen["redactions"] == {r.id for r in policy.redactions}


def test_cases_have_lives(synth_store: Path, policy: Policy, synth_roots: TrustRoots) -> None:
    states = list(_states(synth_store))
    assert len(states) == SYNTH_CASES
    opened = sorted(s.intake.opened_at for s in states)
    assert (opened[-1] - opened[0]).days > 365  # spread over about 18 months
    changed = [e for s in states for e in s.history if isinstance(e, AnswerChangedEvent)]
    assert changed and all(e.reason for e in changed)
    departures = [s.decision for s in states if s.decision and s.decision.departure]
    assert departures and all(d.rationale for d in departures)
    signoffs = [e for s in states for e in s.signoffs]
    assert {s.role for s in signoffs} == {"decision_maker", "legal", "data_protection"}
    checker = TrustChecker(synth_roots)
    store = FolderStore(synth_store)
    assert not [f for s in states for f in check_signoffs(store.read(s.case_id), checker)]
    assert any(s.records for s in states)
    assert any(_advice_after_referral(FolderStore(synth_store), s.case_id, policy) for s in states)


def _advice_after_referral(store: FolderStore, case_id: str, policy: Policy) -> bool:
    """Advice recorded after a recommendation to refer: advice that arrived later."""
    advice = {r.advice for r in policy.referrals}
    referred = False
    for e in store.read(case_id):
        if isinstance(e, RecommendationComputedEvent):
            referred = referred or e.recommendation["outcome"] == "refer"
        if isinstance(e, AnswerRecordedEvent) and e.question in advice and referred:
            return True
    return False


UNSTABLE = {"signature", "certificate", "fingerprint", "hash", "prev", "head", "approval"}


def _content(root: Path) -> list[dict[str, Any]]:
    store = FolderStore(root)
    return [
        {k: v for k, v in e.model_dump(mode="json").items() if k not in UNSTABLE}
        for case_id in store.list_ids()
        for e in store.read(case_id)
    ]


def test_same_seed_same_cases(tmp_path: Path, demo_keys: Path) -> None:
    for name in ("a", "b"):
        generate_store(tmp_path / name, 12, seed=3, keys_dir=demo_keys)
    generate_store(tmp_path / "c", 12, seed=4, keys_dir=demo_keys)
    assert _content(tmp_path / "a") == _content(tmp_path / "b")
    assert _content(tmp_path / "a") != _content(tmp_path / "c")


def test_signoffs_are_current_when_given(synth_store: Path) -> None:
    for state in _states(synth_store):
        assert all(
            state.is_current(s) for s in state.signoffs if isinstance(s, SignoffRecordedEvent)
        )


# --- the default store: 2020.1 cases, then 2020.2 cases with the disclosure lifecycle -------


@pytest.fixture(scope="session")
def mixed_store(tmp_path_factory: pytest.TempPathFactory, demo_keys: Path) -> Path:
    root = tmp_path_factory.mktemp("mixed") / "store"
    generate_store(root, 100, seed=11, keys_dir=demo_keys)  # policy_dir None: the default mix
    return root


def test_the_default_store_moves_from_2020_1_to_2020_2(mixed_store: Path) -> None:
    versions = [s.policy.version for s in _states(mixed_store)]
    first_new = versions.index("2020.2")
    assert versions[:first_new] == ["2020.1"] * first_new and first_new >= 25
    assert set(versions[first_new:]) == {"2020.2"}


def test_2020_2_cases_show_every_outcome_trigger_and_condition(mixed_store: Path) -> None:
    v2 = load_policy(POLICY_2020_2)
    states = [s for s in _states(mixed_store) if s.policy.version == "2020.2"]
    seen: dict[str, set[str]] = {key: set() for key in ("outcome", *RESULT_KEYS)}
    triggers: set[str] = set()
    for state in states:
        rec = state.recommendation
        seen["outcome"].add(rec["outcome"])
        for key in RESULT_KEYS:
            seen[key].update(rec[key])
        answers = {q: a.value for q, a in state.answers.items()}
        for qid in NEW_TRIGGERS:
            if answers.get(qid) is True and set(rec["referrals_triggered"]) & NEW_TRIGGERS[qid]:
                triggers.add(qid)
    assert seen["outcome"] == {"publish", "publish_with_redactions", "do_not_publish"} | {
        "refer",
        "incomplete",
    }
    assert seen["conditions"] == {c.id for c in v2.conditions}
    assert seen["referrals"] == {r.id for r in v2.referrals}
    assert seen["blocked_by"] == {"data_protection"} | {r.id for r in v2.referrals}
    assert triggers == set(NEW_TRIGGERS)


NEW_TRIGGERS = {
    "legal.reporting_restriction": {"legal"},
    "law.statutory_anonymity": {"legal"},
    "people.deceased": {"legal"},
    "iopc.mandatory_referral_criteria": {"iopc"},
    "people.safety_risk": {"command"},
}


def test_decisions_to_publish_carry_review_dates_notes_and_releases(mixed_store: Path) -> None:
    states = [s for s in _states(mixed_store) if s.decision is not None]
    publishing = [s for s in states if s.decision.outcome != "do_not_publish"]  # type: ignore[union-attr]
    assert publishing and all(s.decision.review_by for s in publishing)  # type: ignore[union-attr]
    noted = [s for s in states if s.decision.condition_notes]  # type: ignore[union-attr]
    assert noted
    released = [s for s in states if s.releases]
    assert len(released) >= 3
    assert any(s.withdrawals for s in released) and any(s.live_releases() for s in released)
    for state in released:
        d = state.decision
        assert d is not None and d.outcome != "do_not_publish"
        assert all(r.decision_seq == d.seq and r.released_at >= d.at for r in state.releases)
