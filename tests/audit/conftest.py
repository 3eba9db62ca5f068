"""Audit fixtures: a synthetic store made once per session, and a small hand-made store.

The hand-made store is built through the service (`Cases`) with a clock the test sets,
so its statistics can be worked out by hand (see HAND below).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bwvdisclose.answers import validate_answers
from bwvdisclose.case import Actor
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.engine import evaluate
from bwvdisclose.policy import Policy
from bwvdisclose.policy.examples import load_example
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.synth import demo_signers, generate_store
from bwvdisclose.trust.keys import load_identity
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import TrustRoots
from tests.conftest import CRITERIA, KeyFiles, explained, roots, shipped_approval

EXAMPLES = CRITERIA / "met-bwv-2020" / "examples"
R2 = CRITERIA / "met-bwv-2020-r2-illustrative"
SYNTH_CASES = 60
OFFICER = Actor(name="PC Sam Jones", role="duty officer", number="PC 1234")
INSPECTOR = Actor(name="Insp Lee Park", role="decision maker", number="Insp 88")


@dataclass(frozen=True)
class Planned:
    """One hand-made case: example answers, when opened, and its decision (hours later)."""

    example: str
    opened: dt.datetime
    decide: tuple[str, float] | None = None  # (outcome, hours after opening)


def _at(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=dt.UTC)


HAND = [
    Planned("04-community-tension-publish", _at(3, 1, 10), ("publish", 10)),
    Planned("01-default-do-not-publish", _at(3, 15, 9), ("publish", 30)),  # a departure
    Planned("12-refer-legal-pending", _at(4, 2, 12)),
    Planned("09-data-protection-block", _at(4, 20, 8), ("do_not_publish", 50)),
    Planned("19-referrals-cleared", _at(5, 5, 8), ("publish", 100)),
]


class SetClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="session")
def demo_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo TEST identities, made once per session (RSA keys are slow to make)."""
    keys = tmp_path_factory.mktemp("demo-keys")
    demo_signers(keys)
    return keys


@pytest.fixture(scope="session")
def synth_roots(demo_keys: Path) -> TrustRoots:
    """The demo CA that issued the synthetic store's signers and its policy approval."""
    return roots(demo_keys / "ca.pem")


@pytest.fixture(scope="session")
def synth_store(tmp_path_factory: pytest.TempPathFactory, demo_keys: Path) -> Path:
    """A synthetic store of 60 cases, read-only: copy it (`copy_store`) to change it."""
    root = tmp_path_factory.mktemp("synth") / "store"
    generate_store(root, SYNTH_CASES, seed=7, keys_dir=demo_keys, policy_dir=EXAMPLES.parent)
    return root


def copy_store(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def build_hand_store(root: Path, policy: Policy, key_files: KeyFiles) -> list[str]:
    """The HAND cases in order; the first decision is signed by Jane Smith (decision maker)."""
    clock = SetClock()
    cases = Cases(FolderStore(root, clock=clock), policy)
    ids = []
    for plan in HAND:
        clock.now = plan.opened
        intake = Intake("CAD 1/01JAN24", plan.opened - dt.timedelta(hours=3), "Whitehall", ["c1"])
        case_id = cases.open(OFFICER, intake)
        path = EXAMPLES / f"{plan.example}.yaml"
        answers = validate_answers(policy, load_example(path).answers, path.name)
        cases.apply(case_id, OFFICER, explained(policy, answers), None)
        cases.recompute(case_id, OFFICER)
        if plan.decide:
            outcome, hours = plan.decide
            clock.now = plan.opened + dt.timedelta(hours=hours)
            values = {q: a.value for q, a in cases.state(case_id).answers.items()}
            conditions = cases.decision_conditions(evaluate(policy, values), values, outcome)
            cases.decide(
                case_id,
                INSPECTOR,
                outcome,
                "Justified in the case file.",
                review_by=None if outcome == "do_not_publish" else "2024-12-31",
                notes={c: "Done." for c in conditions},
                now=clock.now,
                approval=shipped_approval(policy),
            )
        ids.append(case_id)
    identity = load_identity(key_files.p12, key_files.passphrase)
    trusted = roots(*os.environ["BWVDISCLOSE_TRUST"].split(os.pathsep))
    cases.sign(ids[0], identity, "decision_maker", TrustChecker(trusted), clock.now)
    return ids


@pytest.fixture(scope="session")
def hand_store(
    tmp_path_factory: pytest.TempPathFactory, policy: Policy, key_files: KeyFiles
) -> Path:
    root = tmp_path_factory.mktemp("hand") / "store"
    build_hand_store(root, policy, key_files)
    return root
