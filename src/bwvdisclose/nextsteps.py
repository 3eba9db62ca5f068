"""What to do after a REFER: an advice request per referral, and the redactions found so far.

Everything comes from the policy and the answers: whom to ask (the referral's title),
why (the answers that triggered it, with their rationales), what to ask (the advice
question and the replies it takes), what release would look like if no one objects,
the clauses to quote, and how to record the reply. Pure: no terminal, no store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bwvdisclose.engine import evaluate, holds
from bwvdisclose.explain import show_value
from bwvdisclose.policy.models import AnswerValue, Policy
from bwvdisclose.recommendation import Recommendation

NO_OBJECTION = "no_objection"


@dataclass(frozen=True)
class Reason:
    question: str
    prompt: str
    answer: str
    rationale: str


@dataclass(frozen=True)
class AdviceRequest:
    """One referral's request for advice: to whom, why, what to ask, and how to record it."""

    referral: str
    to: str
    reasons: list[Reason]
    ask: str
    replies: list[str]  # the labels of the replies that decide (not `pending`)
    proposal: str  # what would be recommended if no referral objects
    redactions: list[str]  # titles of the redactions that release would need
    clauses: list[tuple[str, str]]
    record_with: str


@dataclass(frozen=True)
class Redaction:
    id: str
    title: str
    cites: list[str]


def advice_requests(
    policy: Policy,
    rec: Recommendation,
    answers: Mapping[str, AnswerValue],
    rationales: Mapping[str, str],
    case_id: str,
) -> list[AdviceRequest]:
    """One request per referral whose advice is awaited (`rec.referrals`)."""
    referrals = {r.id: r for r in policy.referrals}
    cleared = dict(answers) | {referrals[r].advice: NO_OBJECTION for r in rec.referrals}
    if_cleared = evaluate(policy, cleared)
    proposal = if_cleared.outcome.replace("_", " ")
    needed = [t.title for t in if_cleared.items("redaction") if t.held]
    triggers = {t.id: t for t in rec.items("referral")}
    requests = []
    for rid in rec.referrals:
        referral = referrals[rid]
        advice = policy.questions[referral.advice]
        support = triggers[rid].answers if rid in triggers else []
        reasons = [
            Reason(q.id, q.prompt, show_value(a.value), rationales.get(a.id, ""))
            for a in support
            if a.id != advice.id and (q := policy.questions[a.id])
        ]
        requests.append(
            AdviceRequest(
                referral=rid,
                to=referral.title,
                reasons=reasons,
                ask=advice.prompt,
                replies=[
                    f"{c} ({advice.choice_labels.get(c, c)})"
                    for c in advice.choices or []
                    if c != "pending"
                ],
                proposal=proposal,
                redactions=needed,
                clauses=[(k, policy.sources[k].clause) for k in referral.cites],
                record_with=(
                    f"bwvdisclose assess {case_id} --answer {advice.id}=REPLY "
                    '--rationale "who advised, when, in what words"'
                ),
            )
        )
    return requests


def redactions_so_far(policy: Policy, answers: Mapping[str, AnswerValue]) -> list[Redaction]:
    """Redactions the answers already call for, whatever the outcome turns out to be."""
    return [
        Redaction(r.id, r.title, list(r.cites))
        for r in policy.redactions
        if holds(policy, r.when, answers) is True
    ]
