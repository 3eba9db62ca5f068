"""The decision table of the criteria brief, row by row, as answers in and outcome out."""

from __future__ import annotations

from typing import Any

import pytest

from bwvdisclose.engine import evaluate
from bwvdisclose.policy import Policy
from bwvdisclose.whatif import what_would_change

# A protest that conveys the general challenge, with nothing standing in the way.
CLEAR: dict[str, Any] = {
    "incident.type": "protest",
    "force.shown": False,
    "media.viral": False,
    "media.allegations": [],
    "tension.significant_concern": False,
    "appeal.active": False,
    "challenge.conveys_general_challenge": True,
    "challenge.setting": "protest",
    "dp.identifiable_third_parties": False,
    "dp.children_or_vulnerable": False,
    "dp.sensitive_data": False,
    "law.statutory_anonymity": False,
    "dp.lawful_basis_confirmed": True,
    "legal.active_proceedings": False,
    "legal.iopc_status": "none",
    "conduct.concerns_identified": False,
    "officers.safety_risk": False,
}
NO_EXCEPTION = {"challenge.conveys_general_challenge": False}
TENSION = {
    "challenge.conveys_general_challenge": False,
    "tension.significant_concern": True,
    "tension.disorder_or_injury_risk": "realistic",
    "tension.trust_in_policing": True,
    "tension.inaccuracies_driving_reaction": True,
    "tension.footage_counters_inaccuracies": True,
}
APPEAL = {
    "challenge.conveys_general_challenge": False,
    "appeal.active": True,
    "appeal.footage_necessary": True,
    "appeal.sio_approved": True,
    "appeal.stills_sufficient": False,
}

# (row of the brief, changes to CLEAR, outcome, field checked, its value)
TABLE = [
    ("1 general_challenge met", {}, "publish", "exceptions_met", ["general_challenge"]),
    (
        "1 setting none: not met",
        {"challenge.setting": "none"},
        "do_not_publish",
        "exceptions_met",
        [],
    ),
    ("1 community_tension met", TENSION, "publish", "exceptions_met", ["community_tension"]),
    (
        "1 risk only possible",
        {**TENSION, "tension.disorder_or_injury_risk": "possible"},
        "do_not_publish",
        "exceptions_met",
        [],
    ),
    (
        "1 footage would not counter",
        {**TENSION, "tension.footage_counters_inaccuracies": False},
        "do_not_publish",
        "exceptions_met",
        [],
    ),
    ("1 criminal_appeal met", APPEAL, "publish", "exceptions_met", ["criminal_appeal"]),
    (
        "1 appeal not approved",
        {**APPEAL, "appeal.sio_approved": False},
        "do_not_publish",
        "exceptions_met",
        [],
    ),
    ("2 no exception", NO_EXCEPTION, "do_not_publish", "conditions", []),
    (
        "2 no exception, viral",
        {**NO_EXCEPTION, "media.viral": True},
        "do_not_publish",
        "conditions",
        ["consider_context_statement"],
    ),
    (
        "3 children, masking not feasible",
        {"dp.children_or_vulnerable": True, "dp.redaction_feasible": False},
        "do_not_publish",
        "blocked_by",
        ["data_protection"],
    ),
    (
        "3 data protection comes before referrals",
        {
            "dp.sensitive_data": True,
            "dp.redaction_feasible": False,
            "legal.active_proceedings": True,
        },
        "do_not_publish",
        "blocked_by",
        ["data_protection"],
    ),
    ("4 legal pending", {"legal.active_proceedings": True}, "refer", "referrals", ["legal"]),
    (
        "4 iopc objection",
        {"legal.iopc_status": "investigating", "iopc.advice": "objection"},
        "do_not_publish",
        "blocked_by",
        ["iopc"],
    ),
    (
        "4 psd pending, dpo cleared",
        {
            "conduct.concerns_identified": True,
            "dp.lawful_basis_confirmed": False,
            "dpo.advice": "no_objection",
        },
        "refer",
        "referrals",
        ["psd"],
    ),
    (
        "4 command cleared",
        {"officers.safety_risk": True, "command.advice": "no_objection"},
        "publish",
        "blocked_by",
        [],
    ),
    (
        "5 maskable third parties",
        {"dp.identifiable_third_parties": True, "dp.redaction_feasible": True},
        "publish_with_redactions",
        "redactions",
        ["third_parties"],
    ),
    (
        "5 force shown",
        {"force.shown": True},
        "publish",
        "conditions",
        ["explanatory_context_required"],
    ),
    ("5 viral", {"media.viral": True}, "publish", "conditions", ["amplification_warning"]),
    (
        "5 appeal, stills do",
        {**APPEAL, "appeal.stills_sufficient": True},
        "publish",
        "conditions",
        ["stills_only"],
    ),
    (
        "5 stills only when the appeal is the only exception",
        {**APPEAL, "appeal.stills_sufficient": True, "challenge.conveys_general_challenge": True},
        "publish",
        "conditions",
        [],
    ),
]


@pytest.mark.parametrize(
    ("row", "changes", "outcome", "field", "value"), TABLE, ids=[t[0] for t in TABLE]
)
def test_decision_table(
    policy: Policy, row: str, changes: dict[str, Any], outcome: str, field: str, value: list[str]
) -> None:
    rec = evaluate(policy, {**CLEAR, **changes})
    assert rec.outcome == outcome
    assert getattr(rec, field) == value


def test_unanswered_deciding_question_gives_incomplete(policy: Policy) -> None:
    answers = {k: v for k, v in CLEAR.items() if k != "legal.iopc_status"}
    rec = evaluate(policy, answers)
    assert rec.outcome == "incomplete"
    assert rec.missing == ["legal.iopc_status"]
    assert rec.conditions == [] and rec.redactions == []


def test_missing_lists_only_what_could_decide(policy: Policy) -> None:
    # No exception can be met (all three answered no), so nothing later matters but media.viral.
    answers = {
        "tension.significant_concern": False,
        "appeal.active": False,
        "challenge.conveys_general_challenge": False,
    }
    rec = evaluate(policy, answers)
    assert rec.outcome == "incomplete"
    assert rec.missing == ["media.viral"]


def test_unanswered_advice_counts_as_pending(policy: Policy) -> None:
    rec = evaluate(policy, {**CLEAR, "officers.safety_risk": True})
    assert (rec.outcome, rec.referrals) == ("refer", ["command"])


def test_objection_decides_even_while_a_trigger_is_unknown(policy: Policy) -> None:
    answers = {**CLEAR, "legal.active_proceedings": True, "legal.advice": "objection"}
    del answers["officers.safety_risk"]
    rec = evaluate(policy, answers)
    assert (rec.outcome, rec.blocked_by) == ("do_not_publish", ["legal"])


def test_answers_to_questions_not_asked_play_no_part(policy: Policy) -> None:
    # The advice is recorded but legal proceedings are not active: no referral, no block.
    rec = evaluate(policy, {**CLEAR, "legal.advice": "objection", "force.types": ["taser_fired"]})
    assert rec.outcome == "publish"
    assert rec.blocked_by == [] and rec.conditions == []


def test_trace_names_the_answers_that_decided(policy: Policy) -> None:
    rec = evaluate(policy, {**CLEAR, "challenge.setting": "none"})
    item = next(t for t in rec.trace if t.kind == "exception" and t.id == "general_challenge")
    assert item.held is False
    assert [a.id for a in item.answers] == ["challenge.setting"]
    assert item.cites == ["MEMO-EX3"]
    assert "general challenge officers faced" in item.clauses[0]


def test_same_answers_same_result(policy: Policy) -> None:
    assert evaluate(policy, CLEAR) == evaluate(policy, dict(reversed(list(CLEAR.items()))))


def test_what_would_change_lists_single_flips(policy: Policy) -> None:
    flips = what_would_change(policy, CLEAR)
    found = {(f.changes[0].id, f.outcome) for f in flips if len(f.changes) == 1}
    assert ("challenge.conveys_general_challenge", "do_not_publish") in found
    assert ("legal.active_proceedings", "refer") in found
    for flip in flips:
        changed = {**CLEAR, **{c.id: c.after for c in flip.changes}}
        assert evaluate(policy, changed).outcome == flip.outcome


def test_what_would_change_tries_pairs_when_no_single_change_does(policy: Policy) -> None:
    answers = {
        **CLEAR,
        "dp.children_or_vulnerable": True,
        "dp.sensitive_data": True,
        "dp.redaction_feasible": False,
    }
    flips = what_would_change(policy, answers)
    assert flips, "masking becoming feasible flips the block"
    assert any(f.changes[0].id == "dp.redaction_feasible" for f in flips)


def test_incomplete_has_no_flips(policy: Policy) -> None:
    assert what_would_change(policy, {}) == []


def test_what_would_change_leaves_out_changes_that_cannot_matter(policy: Policy) -> None:
    """No lone advice of a referral never triggered; no pair holding a change that flips alone."""
    flips = what_would_change(policy, CLEAR)
    singles = {f.changes[0].id for f in flips if len(f.changes) == 1}
    for flip in flips:
        ids = [c.id for c in flip.changes]
        if len(ids) == 1:
            assert not ids[0].endswith(".advice"), flip
        else:
            assert not set(ids) & singles, flip
        changed = {**CLEAR, **{c.id: c.after for c in flip.changes}}
        assert evaluate(policy, changed).outcome == flip.outcome


def test_what_would_change_lists_pairs_alongside_singles(policy: Policy) -> None:
    flips = what_would_change(policy, {**CLEAR, "legal.active_proceedings": True})
    sizes = [len(f.changes) for f in flips]
    assert sizes == sorted(sizes) and 1 in sizes and 2 in sizes
    pair = next(f for f in flips if len(f.changes) == 2)
    assert pair.outcome == "do_not_publish"
