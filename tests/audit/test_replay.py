"""Replay: exactly the cases whose recommendation would change, why, and never a write."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bwvdisclose.answers import validate_answers
from bwvdisclose.audit.policies import PolicyCatalog
from bwvdisclose.audit.replay import CaseChange, new_summary, replay_store
from bwvdisclose.case import Actor
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.policy import Policy, load_policy
from bwvdisclose.policy.examples import load_example
from bwvdisclose.store.folder import FolderStore
from tests.audit.conftest import R2, copy_store
from tests.conftest import CRITERIA, explained

OCCURRED = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
WHO = Actor(name="PC Sam Jones", role="duty officer", number="PC 1234")


def _snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file and folder under root: bytes, mode and modification time."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            st = path.stat()
            data = path.read_bytes() if path.is_file() else b""
            found[str(path.relative_to(root))] = (data, st.st_mode, st.st_mtime_ns)
    return found


def _replay(store: Path, policy: Policy, new: Policy, workers: int = 1) -> list[CaseChange]:
    summary = new_summary(new)
    for result in replay_store(store, PolicyCatalog(policy), new, workers):
        summary.add(result)
    assert summary.unreadable == []
    return summary.changes


def test_lists_exactly_the_cases_that_change(hand_store: Path, policy: Policy) -> None:
    before = _snapshot(hand_store)
    changes = _replay(hand_store, policy, load_policy(R2))
    assert _snapshot(hand_store) == before  # nothing written, nothing touched
    assert [c.case_id for c in changes] == ["BWV-2024-0003", "BWV-2024-0005"]
    refer, cleared = changes
    assert (refer.before["outcome"], refer.after["outcome"]) == ("refer", "incomplete")
    assert cleared.before["outcome"] == "publish"
    assert refer.missing == ["legal.release_necessary_and_proportionate"]
    assert "referrals" in refer.changed and "referrals_triggered" in cleared.changed
    rules = {(r.kind, r.id): r for r in refer.rules}
    legal = rules[("referral", "legal")]
    assert (legal.before, legal.after) == ("held", "unknown")
    assert (
        legal.cites == ["CCA1981", "R2-LEGAL"] and "necessary and proportionate" in legal.clauses[1]
    )
    assert rules[("fact", "legal_referral_needed")].before == "not in the policy"


def test_same_policy_changes_nothing(synth_store: Path, policy: Policy) -> None:
    before = _snapshot(synth_store)
    assert _replay(synth_store, policy, policy, workers=2) == []
    assert _snapshot(synth_store) == before


def test_the_r2_change_seen_from_a_case_answered_under_r2(tmp_path: Path, policy: Policy) -> None:
    """A case released under r2 without a legal referral would be referred under 2020."""
    r2 = load_policy(R2)
    cases = Cases(FolderStore(tmp_path / "store"), r2)
    case_id = cases.open(WHO, Intake("CAD 2/01JAN24", OCCURRED, "Whitehall", []))
    path = R2 / "examples" / "26-release-necessary-no-legal-referral.yaml"
    answers = validate_answers(r2, load_example(path).answers, path.name)
    cases.apply(case_id, WHO, explained(r2, answers), None)
    cases.recompute(case_id, WHO)
    (change,) = _replay(tmp_path / "store", r2, load_policy(CRITERIA / "met-bwv-2020"))
    assert (change.before["outcome"], change.after["outcome"]) == ("publish", "refer")
    assert change.after["referrals"] == ["legal"]
    legal = next(r for r in change.rules if (r.kind, r.id) == ("referral", "legal"))
    assert (legal.before, legal.after) == ("did not hold", "held")
    assert not change.note  # the case's own policy version was found for the comparison


def test_a_damaged_case_is_not_replayed(hand_store: Path, policy: Policy, tmp_path: Path) -> None:
    store = copy_store(hand_store, tmp_path / "store")
    log = store / "BWV-2024-0003" / "events.jsonl"
    log.write_bytes(log.read_bytes().replace(b"protest", b"PROTEST", 1))
    summary = new_summary(load_policy(R2))
    for result in replay_store(store, PolicyCatalog(policy), load_policy(R2)):
        summary.add(result)
    assert [c.case_id for c in summary.changes] == ["BWV-2024-0005"]
    (problem,) = summary.unreadable
    assert problem.startswith("BWV-2024-0003: fails verification at event ")


def test_summary_and_rule_lines_agree_on_what_is_unknown(hand_store: Path, policy: Policy) -> None:
    """A list never says `(none)` for an item whose rule line says `unknown`."""
    from bwvdisclose.cli.audit_views import change_text

    changes = _replay(hand_store, policy, load_policy(R2))
    for change in changes:
        unknown = {(r.kind, r.id) for r in change.rules if r.after == "unknown"}
        text = "\n".join(change_text(change))
        for field in change.changed:
            kind = {"referrals_triggered": "referral", "referrals": "referral"}.get(field)
            for kind_, rid in unknown:
                if kind_ == kind:
                    assert rid in change.unknown_after[field], (change.case_id, field)
                    assert f"unknown: {rid}" in text.split(f"  {field}: ", 1)[1].split("\n")[0]
    cleared = changes[1]
    line = next(x for x in change_text(cleared) if x.startswith("  referrals_triggered: "))
    assert "legal" not in cleared.after["referrals_triggered"]
    assert line.endswith("; unknown: legal") and "(none)" not in line
