"""The synthetic store generator: whole decision table, plausible histories, deterministic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bwvdisclose.case import (
    AnswerChangedEvent,
    AnswerRecordedEvent,
    CaseStore,
    RecommendationComputedEvent,
    SignoffRecordedEvent,
    fold,
)
from bwvdisclose.policy import Policy
from bwvdisclose.synth import generate_store
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import TrustRoots
from bwvdisclose.trust.signoff import check_signoffs
from tests.audit.conftest import SYNTH_CASES

RESULT_KEYS = ("exceptions_met", "blocked_by", "referrals", "conditions", "redactions")


def _states(root: Path) -> Iterator[Any]:
    store = CaseStore(root)
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
    store = CaseStore(synth_store)
    assert not [f for s in states for f in check_signoffs(store.read(s.case_id), checker)]
    assert any(s.records for s in states)
    assert any(_advice_after_referral(CaseStore(synth_store), s.case_id, policy) for s in states)


def _advice_after_referral(store: CaseStore, case_id: str, policy: Policy) -> bool:
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
    store = CaseStore(root)
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
