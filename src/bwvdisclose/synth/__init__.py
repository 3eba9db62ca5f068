"""Synthetic case stores for tests, demos and benchmarks: `generate_store`.

Cases open over about 18 months: those opened before SWITCH under version 2020.1
(criteria/met-bwv-2020), later ones under the shipped default (2020.2), as a force
moving to the new version would have them; `policy_dir` puts every case under one
policy. Each policy's own examples are spread through its part of the store (so with
100 or more cases every outcome, exception, block, referral, condition and redaction of
both versions appears), the rest are random draws (see
plan.py) played through a plausible life (timeline.py). Everything but signature and
certificate bytes is the same for the same seed. Sign-offs are real: RSA signatures
over the log head by demo TEST identities made once into a key folder and reused.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path

from bwvdisclose.case import Actor
from bwvdisclose.errors import CaseError
from bwvdisclose.policy.load import criteria_root, default_policy_dir, load_policy
from bwvdisclose.policy.models import Policy
from bwvdisclose.store import open_store
from bwvdisclose.store.bulk import sync_store, write_case
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.synth.plan import Answers, example_answers, random_answers
from bwvdisclose.synth.text import DEMO_PASSPHRASE, OFFICERS, SIGNERS
from bwvdisclose.synth.timeline import CaseLife, Signers, live
from bwvdisclose.trust.approval import approval_of
from bwvdisclose.trust.ca import CA_CERT, CA_KEY, issue_test_identity, load_ca, make_test_ca
from bwvdisclose.trust.keys import Identity, load_cert_pem, load_identity
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.profile import POLICY_OWNER
from bwvdisclose.trust.roots import TrustRoots

START = dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC)
SPAN = dt.timedelta(days=548)  # about 18 months
SWITCH = 0.4  # the share of the span (from START) before the new default version applies
EARLIER = "met-bwv-2020"  # the version stored cases opened before SWITCH name (2020.1)
ISSUED = START - dt.timedelta(days=30)  # the demo CA and identities are valid from here
OWNER = ("Olivia Grant", POLICY_OWNER, "Head of Information Governance", "IG 0001")

__all__ = ["DEMO_PASSPHRASE", "default_keys_dir", "demo_signers", "generate_store"]


def default_keys_dir(store: Path) -> Path:
    """The demo identities live beside the store, never inside it: `<store>.keys/`."""
    store = Path(store).resolve()
    return store.parent / f"{store.name}.keys"


def demo_signers(keys_dir: Path) -> Signers:
    """Load the demo TEST CA and identities from `keys_dir`, making any that are missing.

    The CA (`ca.pem` there: the trust root for `audit verify --trust`) issues the
    signers and a policy owner, all valid from before the first synthetic case.
    Loaded once per folder and process: opening an encrypted PKCS#12 file is slow.
    """
    return _signers(Path(keys_dir).resolve())


@cache
def _signers(keys_dir: Path) -> Signers:
    if not (keys_dir / CA_KEY).exists():
        make_test_ca(keys_dir, DEMO_PASSPHRASE, name="bwvdisclose demo TEST CA", not_before=ISSUED)
    ca = load_ca(keys_dir, DEMO_PASSPHRASE)
    deciders: list[tuple[Identity, Actor]] = []
    others: dict[str, Identity] = {}
    for name, role, rank, number in (*SIGNERS, OWNER):
        stem = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
        p12 = keys_dir / f"{stem}.p12"
        if not p12.exists():
            issue_test_identity(
                ca, keys_dir, DEMO_PASSPHRASE, name=name, role=role, rank=rank, number=number,
                not_before=ISSUED, days=3650,
            )  # fmt: skip
        identity = load_identity(p12, DEMO_PASSPHRASE)
        if role == "decision_maker":
            deciders.append((identity, Actor(name=name, role="decision maker", number=number)))
        else:
            others[role] = identity
    roots = TrustRoots((load_cert_pem(keys_dir / CA_CERT),))
    return Signers(
        decision_makers=tuple(deciders),
        others=others,
        policy_owner=others.pop(POLICY_OWNER),
        checker=TrustChecker(roots),
    )


def generate_store(
    root: Path | str,
    cases: int,
    *,
    seed: int = 0,
    keys_dir: Path | None = None,
    policy_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `cases` synthetic cases into the empty store at `root`; return how many."""
    store = open_store(root)  # a folder, or a database store set up with `store init`
    bulk = isinstance(store, FolderStore)  # a folder is written without an fsync a case
    if store.list_ids():
        raise CaseError(f"{root} already holds cases; the demo fills an empty store")
    if keys_dir is None and not bulk:
        raise CaseError("a database store keeps no files beside it: name a folder with --keys")
    signers = demo_signers(keys_dir or default_keys_dir(Path(root)))
    phases = _phases(cases, policy_dir)
    rng = random.Random(seed)
    numbers: dict[int, int] = {}
    for i in range(cases):
        opened = START + SPAN * ((i + rng.random()) / cases)
        numbers[opened.year] = numbers.get(opened.year, 0) + 1
        case_id = f"BWV-{opened.year}-{numbers[opened.year]:04d}"
        policy, placed = next(p for first, p in reversed(phases) if i >= first)
        plan = placed.get(i)
        approval = approval_of(policy, signers.policy_owner, ISSUED)
        life = CaseLife(rng, policy, opened, approval, signers.checker)
        officer = rng.choice(OFFICERS)
        life.open(case_id, officer)
        live(life, random_answers(rng, policy) if plan is None else plan, officer, signers)
        if bulk:
            write_case(store, life.chain.events, life.records, durable=False)  # type: ignore[arg-type]
        else:
            store.import_case(life.chain.events, life.records)
        if progress:
            progress(1)
    if bulk:
        sync_store()
    return cases


Phase = tuple[int, tuple[Policy, dict[int, Answers]]]


def _phases(cases: int, policy_dir: Path | None) -> list[Phase]:
    """From which case index each policy applies, and where its examples are placed."""
    folders = [policy_dir] if policy_dir else [criteria_root() / EARLIER, default_policy_dir()]
    starts = [0] if policy_dir else [0, round(cases * SWITCH)]
    phases: list[Phase] = []
    for n, (folder, first) in enumerate(zip(folders, starts, strict=True)):
        policy = load_policy(folder)
        end = starts[n + 1] if n + 1 < len(starts) else cases
        examples = example_answers(policy, folder)
        span = end - first
        placed = (
            {first + j * span // len(examples): dict(ex) for j, ex in enumerate(examples)}
            if span >= len(examples)
            else {}
        )
        phases.append((first, (policy, placed)))
    return phases
