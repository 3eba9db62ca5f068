"""Sign-offs: who must sign for an outcome, and a signature over the case's head hash.

A sign-off names the person, role, rank and number (from the certificate, then the
options) and signs the log head at that moment. A later answer, recommendation or
decision makes it stale: it must be given again.
"""

from __future__ import annotations

from bwvdisclose.case import CaseState, Signer, SignoffRecorded
from bwvdisclose.engine import evaluate
from bwvdisclose.errors import CaseError, SigningError
from bwvdisclose.policy.models import Policy
from bwvdisclose.signing import Identity, cert_fingerprint, cert_pem, sign_head, subject_details

ROLE_TEXT = {
    "decision_maker": "Decision maker",
    "legal": "Legal",
    "data_protection": "Data protection",
}


def required_roles(policy: Policy, outcome: str) -> list[str]:
    """The roles that must sign for `outcome`, as the policy's `signoffs` table says."""
    roles = policy.signoffs.get(outcome, [])  # type: ignore[call-overload]
    return list(roles)


def decision_current(state: CaseState) -> bool:
    """A decision stands until the recommendation is computed again after it."""
    return state.decision is not None and state.decision.seq > (state.recommendation_seq or 0)


def recommendation_stale(state: CaseState, policy: Policy) -> bool:
    """The logged recommendation is not what the current answers give under `policy`."""
    answers = {qid: a.value for qid, a in state.answers.items()}
    rec = evaluate(policy, answers)
    return state.recommendation != rec.summary() or state.recommendation_policy != rec.policy


def refuse_stale(state: CaseState, policy: Policy, what: str) -> None:
    """CaseError if the answers changed after the recommendation was logged (a failed or
    interrupted command): the case must be recomputed before it is signed or recorded."""
    if recommendation_stale(state, policy):
        raise CaseError(
            f"case {state.case_id} cannot be {what}: its answers changed after the "
            "recommendation was computed; recompute it with `bwvdisclose assess "
            f"{state.case_id}` and decide again if it changed"
        )


def missing_roles(state: CaseState, policy: Policy) -> list[str]:
    """What the current decision still needs: `decision` itself, or the roles to sign."""
    if state.decision is None or not decision_current(state):
        return ["decision"]
    return [
        r for r in required_roles(policy, state.decision.outcome) if r not in state.signed_roles()
    ]


def signoff_for(
    state: CaseState,
    policy: Policy,
    identity: Identity,
    role: str,
    rank: str = "",
    number: str = "",
) -> SignoffRecorded:
    """The sign-off event for `identity` as `role`, or an error saying why it cannot be given."""
    refuse_stale(state, policy, "signed")
    if state.decision is None or not decision_current(state):
        raise CaseError(
            f"case {state.case_id} has no current decision; "
            "record it first with `bwvdisclose decide`"
        )
    needed = required_roles(policy, state.decision.outcome)
    if role not in needed:
        raise CaseError(
            f"a {state.decision.outcome} decision needs sign-off from "
            f"{', '.join(needed)}, not {role}"
        )
    details = subject_details(identity.certificate)
    cert_role = str(details["role"])
    if cert_role and cert_role != role:
        raise SigningError(f"this certificate is for the {cert_role} role, not {role}")
    fingerprint = cert_fingerprint(identity.certificate)
    signer = Signer(
        name=str(details["name"]) or "unnamed",
        rank=str(details["rank"]) or rank or "not stated",
        number=str(details["number"]) or number or "not stated",
    )
    for other in state.current_signoffs():
        same_person = other.fingerprint == fingerprint or other.signer.number == signer.number
        if other.role == role:
            raise CaseError(
                f"{ROLE_TEXT[role]} has already signed this decision ({other.signer.name})"
            )
        if same_person:
            raise CaseError(
                f"{signer.name} ({signer.number}) has already signed as {other.role}; "
                "one person cannot sign in two roles"
            )
    signature, algorithm = sign_head(identity, state.head)
    return SignoffRecorded(
        role=role,  # type: ignore[arg-type]
        signer=signer,
        head=state.head,
        signature=signature,
        algorithm=algorithm,
        certificate=cert_pem(identity.certificate),
        fingerprint=fingerprint,
    )
