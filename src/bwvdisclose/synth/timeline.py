"""One synthetic case's life, built in memory as the service would have logged it.

Answers first (some given wrong and corrected later with a reason), the
recommendation recomputed whenever it changes, referral advice arriving days later,
then perhaps a decision (a few departing from the recommendation, with a
justification, a review date when publishing and a note on each condition), sign-offs
over the log head by the demo identities, a record, and for most recorded decisions to
publish one or two releases, some later withdrawn.
Everything goes through the same rules as the service: `evaluate`, `decision_for`,
`signoff_for`, `release_for`, `withdrawal_for`, the store's own event building.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from bwvdisclose.case import Actor, AnswerChanged, AnswerRecorded, CaseOpened, fold
from bwvdisclose.case.payloads import PolicyApproval, RecommendationComputed, RecordRendered
from bwvdisclose.cases import decision_for
from bwvdisclose.disclosure import PUBLISHING, release_for, withdrawal_for
from bwvdisclose.engine import conditions_on, evaluate
from bwvdisclose.policy.models import DECIDABLE_OUTCOMES, AnswerValue, Policy, PolicyRef
from bwvdisclose.recommendation import Recommendation
from bwvdisclose.store.bulk import EventChain
from bwvdisclose.synth import text
from bwvdisclose.synth.plan import Answers
from bwvdisclose.trust.keys import Identity
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.signoff import ROLE_TEXT, required_roles, signoff_for


@dataclass(frozen=True)
class Signers:
    """The demo identities, loaded once: RSA signing is the expensive part of a case."""

    decision_makers: tuple[tuple[Identity, Actor], ...]  # each with the actor who decides
    others: dict[str, Identity]  # legal, data_protection
    policy_owner: Identity
    checker: TrustChecker  # trusts the demo TEST CA that issued them all


class CaseLife:
    """Builds one case: a clock that only moves forward and the chain of events."""

    def __init__(
        self,
        rng: random.Random,
        policy: Policy,
        opened_at: dt.datetime,
        approval: PolicyApproval,
        checker: TrustChecker,
    ) -> None:
        self.rng, self.policy, self.now = rng, policy, opened_at
        self.approval, self.checker = approval, checker
        self.chain = EventChain()
        self.answers: dict[str, AnswerValue] = {}
        self.summary: dict[str, object] | None = None
        self.records: dict[str, bytes] = {}

    def later(self, low: float, high: float) -> dt.datetime:
        """Move the clock on by between `low` and `high` seconds (log-uniform)."""
        self.now += dt.timedelta(seconds=low * (high / low) ** self.rng.random())
        return self.now

    def open(self, case_id: str, officer: Actor) -> None:
        occurred = self.now - dt.timedelta(hours=self.rng.uniform(2, 72))
        body = CaseOpened(
            case_id=case_id,
            incident_ref=f"CAD {self.rng.randint(1000, 9999)}/{occurred:%d%b%y}".upper(),
            occurred=occurred,
            location=self.rng.choice(text.LOCATIONS),
            clips=[
                f"BWV-{self.rng.randint(100000, 999999)}.mp4" for _ in range(self.rng.randint(1, 3))
            ],
            policy=PolicyRef.of(self.policy),
        )
        self.chain.add(self.now, officer, body)

    def answer(self, officer: Actor, qid: str, value: AnswerValue) -> None:
        rationale = self.rng.choice(text.RATIONALES)
        previous = self.answers.get(qid)
        if previous is None:
            body: AnswerRecorded | AnswerChanged = AnswerRecorded(
                question=qid, value=value, rationale=rationale
            )
        else:
            reason = self.rng.choice(text.CHANGE_REASONS)
            body = AnswerChanged(
                question=qid, value=value, previous=previous, rationale=rationale, reason=reason
            )
        self.chain.add(self.later(20, 240), officer, body)
        self.answers[qid] = value

    def recompute(self, officer: Actor) -> Recommendation:
        rec = evaluate(self.policy, self.answers)
        if rec.summary() != self.summary:
            self.summary = rec.summary()
            body = RecommendationComputed(recommendation=rec.summary(), policy=rec.policy)
            self.chain.add(self.later(1, 5), officer, body)
        return rec

    def decide(self, rec: Recommendation, who: Actor, departure: bool) -> str:
        outcome = rec.outcome
        rationale = self.rng.choice(text.AGREEMENTS)
        if departure:
            outcome = self.rng.choice([o for o in DECIDABLE_OUTCOMES if o != rec.outcome])
            rationale = self.rng.choice(text.DEPARTURES)
        at = self.later(3600, 5 * 86400)
        conditions = rec.conditions
        if outcome != rec.outcome:
            conditions, _ = conditions_on(self.policy, self.answers, outcome, None)
        notes = {c: text.CONDITION_NOTES.get(c, text.GENERIC_NOTE) for c in conditions}
        review = None
        if outcome in PUBLISHING:
            review = (at + dt.timedelta(days=self.rng.randint(30, 180))).date().isoformat()
        body = decision_for(
            rec, outcome, rationale, review, notes, conditions, at.date(), approval=self.approval
        )
        self.chain.add(at, who, body)
        return outcome

    def release(self, who: Actor) -> None:
        to, url = self.rng.choice(text.RECIPIENTS)
        at = self.later(600, 3 * 86400)
        state = fold(self.chain.events)
        body = release_for(state, self.policy, to, url, at, at)
        self.chain.add(self.later(60, 3600), who, body)

    def withdraw(self, who: Actor) -> None:
        body = withdrawal_for(fold(self.chain.events), self.rng.choice(text.WITHDRAWALS))
        self.chain.add(self.later(20 * 86400, 200 * 86400), who, body)

    def sign(self, identity: Identity, role: str) -> None:
        at = self.later(600, 2 * 86400)
        state = fold(self.chain.events)
        body = signoff_for(state, self.policy, identity, role, self.checker, at)
        who = Actor(name=body.signer.name, role=ROLE_TEXT[role].lower(), number=body.signer.number)
        self.chain.add(at, who, body)

    def record(self, who: Actor) -> None:
        case_id = self.chain.case_id
        name = f"{case_id}-decision-record.pdf"
        data = placeholder_pdf(f"{case_id}: synthetic placeholder, not a decision record")
        body = RecordRendered(
            file=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), head=self.chain.head
        )
        self.chain.add(self.later(60, 600), who, body)
        self.records[name] = data


def live(life: CaseLife, plan: Answers, officer: Actor, signers: Signers) -> None:
    """Play a case through: answers, corrections, advice later, decision, sign-offs, record."""
    rng, policy = life.rng, life.policy
    advice = {r.advice for r in policy.referrals}
    first = {k: v for k, v in plan.items() if k not in advice}
    wrong = _mistakes(rng, policy, first)
    for qid, value in first.items():
        life.answer(officer, qid, wrong.get(qid, value))
    rec = life.recompute(officer)
    if wrong:
        life.later(3600, 30 * 3600)
        for qid in wrong:
            life.answer(officer, qid, first[qid])
        rec = life.recompute(officer)
    later = [k for k in plan if k in advice]
    if later:
        life.later(4 * 3600, 10 * 86400)
        for qid in later:
            life.answer(officer, qid, plan[qid])
        rec = life.recompute(officer)
    if rec.outcome in DECIDABLE_OUTCOMES and rng.random() < 0.85:
        _decide_and_sign(life, rec, signers)


def _decide_and_sign(life: CaseLife, rec: Recommendation, signers: Signers) -> None:
    rng = life.rng
    identity, who = rng.choice(signers.decision_makers)
    outcome = life.decide(rec, who, departure=rng.random() < 0.07)
    roles = required_roles(life.policy, outcome)
    signing = rng.random()
    if signing < 0.1:
        return
    for role in roles if signing > 0.2 else roles[:1]:
        life.sign(identity if role == "decision_maker" else signers.others[role], role)
    if signing > 0.2 and rng.random() < 0.6:
        life.record(who)
        if outcome in PUBLISHING and rng.random() < 0.8:
            for _ in range(rng.choice([1, 1, 2])):
                life.release(who)
            if rng.random() < 0.5:
                life.withdraw(who)


def _mistakes(rng: random.Random, policy: Policy, answers: Answers) -> dict[str, AnswerValue]:
    """A first, wrong answer to one or two questions in a fifth of cases."""
    if rng.random() >= 0.2 or not answers:
        return {}
    wrong: dict[str, AnswerValue] = {}
    for qid in rng.sample(sorted(answers), min(len(answers), rng.randint(1, 2))):
        value, q = answers[qid], policy.questions[qid]
        if isinstance(value, bool):
            wrong[qid] = not value
        elif q.type == "choice" and q.choices and len(q.choices) > 1:
            wrong[qid] = rng.choice([c for c in q.choices if c != value])
    return wrong


def placeholder_pdf(line: str) -> bytes:
    """A one-page PDF saying it is a synthetic placeholder (real records come from `record`)."""
    safe = line.replace("\\", "").replace("(", "").replace(")", "")
    content = f"BT /F1 11 Tf 56 780 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
