"""What a synthetic case will be answered with: the policy's own examples, or random draws.

The random draws follow the question IDs of the criteria brief (a contract every
version of the Met policy keeps) with weights that give a plausible mix: most cases
meet no exception and are not published; some are published, with redactions,
blocked, referred, or left incomplete. Advice questions are answered later in a
case's life, by the timeline, and may never arrive.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from bwvdisclose.answers import validate_answers, values
from bwvdisclose.engine import holds
from bwvdisclose.policy.examples import example_files, load_example
from bwvdisclose.policy.models import AnswerValue, Policy

Answers = dict[str, AnswerValue]

INCIDENT_TYPES = {
    "stop_and_search": 22, "arrest": 20, "protest": 12, "unlicensed_music_event": 5,
    "public_order": 9, "traffic_stop": 12, "mental_health": 8, "assault_on_officer": 7,
    "other": 5,
}  # fmt: skip
SETTINGS = {"protest": "protest", "unlicensed_music_event": "unlicensed_music_event"} | {
    "public_order": "public_order"
}
FORCE_TYPES = [
    "handcuffs_compliant", "handcuffs_non_compliant", "baton_drawn", "taser_fired",
    "ground_restraint", "spit_guard", "pava_spray", "other",
]  # fmt: skip
ALLEGATIONS = ["racial_profiling", "excessive_force", "unlawful_stop", "other"]
PROTECT = {
    "dp.identifiable_third_parties": 0.45, "dp.children_or_vulnerable": 0.12,
    "dp.sensitive_data": 0.15, "law.statutory_anonymity": 0.04,
}  # fmt: skip
ADVICE_WEIGHTS = {"no_objection": 70, "objection": 9, "pending": 8, "": 13}  # "": never arrives


def example_answers(policy: Policy, folder: Path) -> list[Answers]:
    """The answers of every example kept beside the policy (they cover its whole table)."""
    return [
        values(validate_answers(policy, load_example(path).answers, path.name))
        for path in example_files(folder)
    ]


def random_answers(rng: random.Random, policy: Policy) -> Answers:
    """One plausible set of answers, advice included; 3% stop part way (incomplete)."""
    a: Answers = {}
    _context(rng, a)
    path = rng.choices(["none", "tension", "appeal", "challenge"], [36, 12, 17, 35])[0]
    _tension(rng, a, path == "tension")
    _appeal(rng, a, path == "appeal")
    _challenge(rng, a, path == "challenge")
    _constraints(rng, a)
    _people(rng, a, policy)
    for r in policy.referrals:
        if holds(policy, r.trigger, a) is True:
            advice = rng.choices(list(ADVICE_WEIGHTS), list(ADVICE_WEIGHTS.values()))[0]
            if advice:
                a[r.advice] = advice
    if rng.random() < 0.03:
        keep = rng.randrange(len(a))
        a = dict(list(a.items())[:keep])
    return a


def _context(rng: random.Random, a: Answers) -> None:
    a["incident.type"] = rng.choices(list(INCIDENT_TYPES), list(INCIDENT_TYPES.values()))[0]
    a["force.shown"] = rng.random() < 0.55
    if a["force.shown"]:
        a["force.types"] = sorted(rng.sample(FORCE_TYPES, rng.randint(1, 3)))
    a["media.viral"] = rng.random() < 0.35
    a["media.allegations"] = sorted(rng.sample(ALLEGATIONS, rng.choice([0, 0, 1, 1, 2])))


def _tension(rng: random.Random, a: Answers, aimed: bool) -> None:
    a["tension.significant_concern"] = aimed or rng.random() < 0.2
    if not a["tension.significant_concern"]:
        return
    met = aimed and rng.random() < 0.75
    risk = "realistic" if met else rng.choice(["none", "possible", "possible", "realistic"])
    a["tension.disorder_or_injury_risk"] = risk
    a["tension.trust_in_policing"] = met or rng.random() < 0.5
    a["tension.inaccuracies_driving_reaction"] = met or rng.random() < 0.5
    if a["tension.inaccuracies_driving_reaction"]:
        a["tension.footage_counters_inaccuracies"] = met or rng.random() < 0.4


def _appeal(rng: random.Random, a: Answers, aimed: bool) -> None:
    a["appeal.active"] = aimed or rng.random() < 0.08
    if not a["appeal.active"]:
        return
    met = aimed and rng.random() < 0.8
    a["appeal.footage_necessary"] = met or rng.random() < 0.5
    a["appeal.sio_approved"] = met or rng.random() < 0.5
    a["appeal.stills_sufficient"] = rng.random() < 0.3


def _challenge(rng: random.Random, a: Answers, aimed: bool) -> None:
    conveys = (aimed and rng.random() < 0.85) or rng.random() < 0.04
    a["challenge.conveys_general_challenge"] = conveys
    if conveys:
        fallback = rng.choices(["other", "none"], [3, 1])[0]
        a["challenge.setting"] = SETTINGS.get(str(a["incident.type"]), fallback)


def _constraints(rng: random.Random, a: Answers) -> None:
    for qid, chance in PROTECT.items():
        a[qid] = rng.random() < chance * (2 if a["incident.type"] == "mental_health" else 1)
    if any(a[qid] for qid in PROTECT):
        a["dp.redaction_feasible"] = rng.random() < 0.8
    a["dp.lawful_basis_confirmed"] = rng.random() < 0.7
    a["legal.active_proceedings"] = rng.random() < 0.22
    a["legal.iopc_status"] = rng.choices(["none", "referred", "investigating"], [82, 10, 8])[0]
    a["conduct.concerns_identified"] = rng.random() < 0.12
    a["officers.safety_risk"] = rng.random() < 0.08


# Version 2020.2's questions (criteria-brief-2020.2.md), answered when the policy asks them.
PEOPLE: dict[str, Callable[[random.Random, Answers], AnswerValue]] = {
    "legal.reporting_restriction": lambda rng, a: (
        rng.random() < (0.3 if a.get("legal.active_proceedings") else 0.03)
    ),
    "iopc.mandatory_referral_criteria": lambda rng, a: (
        rng.random() < (0.7 if a.get("legal.iopc_status") != "none" else 0.05)
    ),
    "people.deceased": lambda rng, a: rng.random() < 0.03,
    "people.safety_risk": lambda rng, a: rng.random() < 0.06,
    "victims.views": lambda rng, a: rng.choices(
        ["not_applicable", "not_sought", "supports", "objects"], [62, 14, 14, 10]
    )[0],
}


def _people(rng: random.Random, a: Answers, policy: Policy) -> None:
    for qid, draw in PEOPLE.items():
        if qid in policy.questions:
            a[qid] = draw(rng, a)
