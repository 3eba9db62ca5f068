"""The four cases the decision-record issue names, built through the workflow with a fixed clock.

- car_stop: a July 2020 car stop rebuilt from the news report: do not publish, though
  masking is not feasible, the IOPC investigates and the DPO has not been asked;
- publish: the demo protest, published with redactions, three sign-offs;
- departure: the demo protest, decided do-not-publish with a context statement instead;
- refer: a protest awaiting legal advice, which then arrives (no objection), then published.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from bwvdisclose.answers import Answer, load_answers
from bwvdisclose.case import Actor
from bwvdisclose.cases import Cases, Intake, current_values
from bwvdisclose.engine import evaluate
from bwvdisclose.footage import fingerprint
from bwvdisclose.localtime import LONDON
from bwvdisclose.policy import Policy, load_policy
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.trust.keys import load_identity
from bwvdisclose.trust.paths import TrustChecker
from tests.conftest import DATA, POLICY_2020_1, roots, shipped_approval
from tests.flow.conftest import DEMO, FIXED, PASS, Keys

START = dt.datetime(2020, 7, 4, 18, 5, tzinfo=dt.UTC)
OFFICER = Actor(name="PS Dan Reid", role="duty officer", number="2291")
MAKER = Actor(name="Amy Ward", role="decision maker", number="4711")
NAMES = ("car_stop", "publish", "departure", "refer")


@dataclass(frozen=True)
class Built:
    store: FolderStore
    case_id: str
    policy: Policy


def _sign(cases: Cases, case_id: str, keys: Keys, roles: list[str]) -> None:
    who = {"decision_maker": "amy-ward", "legal": "sam-okafor", "data_protection": "priya-shah"}
    for role in roles:
        identity = load_identity(Path(keys.p12(who[role])), PASS.encode())
        checker = TrustChecker(roots(*os.environ["BWVDISCLOSE_TRUST"].split(os.pathsep)))
        cases.sign(case_id, identity, role, checker, FIXED)


def build(name: str, folder: Path, keys: Keys) -> Built:
    ticks = count()
    store = FolderStore(folder, clock=lambda: START + dt.timedelta(minutes=next(ticks)))
    policy = load_policy(POLICY_2020_1)
    cases = Cases(store, policy)
    answers_file = {
        "car_stop": DATA / "answers" / "car-stop.yaml",
        "refer": DATA / "answers" / "refer.yaml",
    }.get(name, DEMO)
    intake = Intake(
        "CAD 6120/04JUL20" if name == "car_stop" else "CAD 4417/14NOV",
        dt.datetime(2020, 7, 4, 18, 40, tzinfo=LONDON),
        "Elgin Avenue, Maida Vale, London W9" if name == "car_stop" else "Whitehall, London SW1",
        ["BWV-0611-0001", "BWV-0611-0002"],
    )
    case_id = cases.open(OFFICER, intake)
    if name == "publish":  # footage identified by content, not only by reference
        clip = folder.parent / "BWV-0611-0001.mp4"
        clip.write_bytes(b"not really video; a fixed stand-in for the footage file\n" * 1000)
        cases.add_footage(case_id, OFFICER, [fingerprint(clip)])
    cases.apply(case_id, OFFICER, load_answers(answers_file, policy), None)
    cases.recompute(case_id, OFFICER)
    steps: dict[str, Callable[[], None]] = {
        "car_stop": lambda: _decide(
            cases, case_id, "do_not_publish", "Agree: no exception is met; IOPC investigating."
        ),
        "publish": lambda: _decide(
            cases,
            case_id,
            "publish_with_redactions",
            "Agree: the footage shows what officers faced; protesters' faces to be blurred.",
        ),
        "departure": lambda: _decide(
            cases,
            case_id,
            "do_not_publish",
            "The arrested man's family asked us not to; a statement describing the missiles "
            "and the baton use meets the public interest without the footage.",
            "context_statement",
        ),
        "refer": lambda: _advice_then_publish(cases, case_id),
    }
    steps[name]()
    roles = ["decision_maker"]
    if name in ("publish", "refer"):
        roles += ["legal", "data_protection"]
    _sign(cases, case_id, keys, roles)
    return Built(store, case_id, policy)


def _decide(cases: Cases, case_id: str, outcome: str, why: str, course: str | None = None) -> None:
    values = current_values(cases.state(case_id))
    rec = evaluate(cases.policy, values)
    notes = {c: NOTES.get(c, "Done.") for c in cases.decision_conditions(rec, values, outcome)}
    publishing = outcome != "do_not_publish"
    cases.decide(
        case_id,
        MAKER,
        outcome,
        why,
        review_by="2020-10-04" if publishing else None,
        notes=notes,
        now=START,
        course=course,
        approval=shipped_approval(cases.policy),
    )


NOTES = {
    "explanatory_context_required": "Press office statement on the baton use, approved 10:30",
    "amplification_warning": "Media team briefed; comments moderated for 48 hours",
    "consider_context_statement": "Statement on the stop and the IOPC referral issued 20:15",
}


def _advice_then_publish(cases: Cases, case_id: str) -> None:
    lawyer = Actor(name="Sam Okafor", role="legal services", number="L220")
    advice = Answer(
        value="no_objection", rationale="Wide shots; no risk to the trial (email 09:12)"
    )
    cases.apply(case_id, lawyer, {"legal.advice": advice}, None)
    cases.recompute(case_id, lawyer)
    _decide(cases, case_id, "publish", "Agree, now that legal services raise no objection.")


def stable(text: str) -> str:
    """Hashes, signatures and the policy hash vary with keys and edits; snapshots ignore them."""
    text = re.sub(r"[0-9a-f]{64}|[0-9a-f]{16}…|sha256 [0-9a-f]{16}", "<hash>", text)
    return re.sub(r'"signature": "[A-Za-z0-9+/=]+"', '"signature": "<signature>"', text)
