"""Sign-offs: who must sign for an outcome, the signed statement, and checking it later.

A sign-off signs a statement (trust/statement.py): the case, the log head, the role,
the signer's certificate fingerprint, the outcome decided and the policy's SHA-256.
Who signed is read from the certificate as the CA issued it (trust/profile.py); the
certificate must chain to a trust root at signing time and carry the role signed in.
A later answer, recommendation or decision makes a sign-off stale: it must be given
again. One person (same key, same subject as issued, or same number from the same
issuer) cannot sign one decision in two roles.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography import x509

from bwvdisclose.case import (
    CaseOpenedEvent,
    CaseState,
    DecisionRecordedEvent,
    Event,
    RecommendationComputedEvent,
    Signer,
    SignoffRecorded,
    SignoffRecordedEvent,
)
from bwvdisclose.case.payloads import SignoffEvidence
from bwvdisclose.engine import evaluate
from bwvdisclose.errors import CaseError, RecordError, SigningError, TrustError
from bwvdisclose.policy.models import Policy
from bwvdisclose.trust.keys import (
    cert_fingerprint,
    cert_pem,
    chain_of,
    check_in_date,
    intermediates,
    load_cert_pem,
)
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.profile import SIGNOFF_ROLES, identity_of, same_person
from bwvdisclose.trust.statement import (
    AnyIdentity,
    sign_statement,
    signoff_statement,
    verify_statement,
)
from bwvdisclose.trust.tsa import LtvSettings

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


def check_signable(state: CaseState, policy: Policy, role: str) -> DecisionRecordedEvent:
    """The current decision, if `role` may sign it now; else CaseError saying why not.

    The one rule for `sign` and for the verifier (conformance.py): a current decision,
    a role its outcome needs under `policy`, and not signed in that role already.
    """
    decision = state.decision
    if decision is None or not decision_current(state):
        raise CaseError(
            f"case {state.case_id} has no current decision; "
            "record it first with `bwvdisclose decide`"
        )
    needed = required_roles(policy, decision.outcome)
    if role not in needed:
        raise CaseError(
            f"a {decision.outcome} decision needs sign-off from {', '.join(needed)}, not {role}"
        )
    for other in state.current_signoffs():
        if other.role == role:
            raise CaseError(
                f"{ROLE_TEXT[role]} has already signed this decision ({other.signer.name})"
            )
    return decision


def check_recordable(state: CaseState, policy: Policy) -> SignoffRecordedEvent:
    """The decision maker's current sign-off, if the case may be recorded now; else RecordError.

    The one rule for `record` and for the verifier (conformance.py): a current decision,
    signed off in every role `policy` requires for it, the decision maker's among them.
    """
    missing = missing_roles(state, policy)
    if missing:
        raise RecordError(
            f"case {state.case_id} is not ready for its record; still needed: {', '.join(missing)}"
        )
    makers = [s for s in state.current_signoffs() if s.role == "decision_maker"]
    if not makers:
        raise RecordError(f"case {state.case_id} has no current sign-off by the decision maker")
    return makers[-1]


def signoff_for(
    state: CaseState,
    policy: Policy,
    identity: AnyIdentity,
    role: str,
    checker: TrustChecker,
    now: dt.datetime | None = None,
    ltv: LtvSettings | None = None,
) -> SignoffRecorded:
    """The sign-off event for `identity` as `role`, or an error saying why it cannot be given.

    With `ltv`, the signer's status is fetched live (revoked or unknown is refused) and
    the signature is timestamped; the token and revocation data go into the event.
    """
    now = now or dt.datetime.now(dt.UTC)
    refuse_stale(state, policy, "signed")
    decision = check_signable(state, policy, role)
    cert = identity.certificate
    who = identity_of(cert, SIGNOFF_ROLES)
    if who.role != role:
        raise SigningError(f"this certificate is for the {who.role} role, not {role}")
    check_in_date(cert, f"the certificate of {who.name}", now)
    trust = checker.check(cert, now, identity.chain, role)
    if not trust.trusted:
        raise TrustError(f"{who.name}'s certificate is not trusted: {trust.problem}")
    for other in state.current_signoffs():
        if same_person(cert, load_cert_pem(other.certificate)):
            raise CaseError(
                f"{who.describe()} has already signed as {other.role} "
                f"(as {other.signer.name}); one person cannot sign in two roles"
            )
    policy_sha = state.recommendation_policy.sha256 if state.recommendation_policy else ""
    fingerprint = cert_fingerprint(cert)
    message = signoff_statement(
        case_id=state.case_id, head=state.head, role=role, fingerprint=fingerprint,
        outcome=decision.outcome, policy_sha256=policy_sha,
    )  # fmt: skip
    signature, algorithm = sign_statement(identity, message)
    evidence = None
    if ltv is not None:
        from bwvdisclose.trust.timestamps import gather

        raw = base64.b64decode(signature)
        got = gather(cert, identity.chain, raw, ltv, who.name)
        evidence = SignoffEvidence(
            timestamp=got.timestamp, ocsp=list(got.ocsp), crls=list(got.crls)
        )
    return SignoffRecorded(
        role=role,  # type: ignore[arg-type]
        signer=Signer(name=who.name, rank=who.rank or "not stated", number=who.number or "none"),
        head=state.head,
        signature=signature,
        algorithm=algorithm,
        certificate=cert_pem(cert),
        fingerprint=fingerprint,
        outcome=decision.outcome,
        policy_sha256=policy_sha,
        chain=intermediates(identity.chain),
        evidence=evidence,
    )


@dataclass(frozen=True)
class Finding:
    """A problem with a signature: `broken` (not intact) or `untrusted` (intact, not trusted)."""

    kind: str
    text: str


def check_signoffs(events: Iterable[Event], checker: TrustChecker) -> Iterator[Finding]:
    """Every sign-off in a log: intact (statement, certificate, identity) and trusted."""
    case_id, decision, policy_sha = "", None, ""
    signed: list[SignoffRecordedEvent] = []  # sign-offs of the current decision
    for e in events:
        if isinstance(e, CaseOpenedEvent):
            case_id = e.case_id
        elif isinstance(e, RecommendationComputedEvent):
            policy_sha, decision, signed = e.policy.sha256, None, []
        elif isinstance(e, DecisionRecordedEvent):
            decision, signed = e, []
        elif isinstance(e, SignoffRecordedEvent):
            outcome = decision.outcome if decision else None
            found = list(check_signoff(e, case_id, outcome, policy_sha, checker))
            yield from found
            if not any(f.kind == "broken" for f in found):
                yield from _two_roles(e, signed)
                signed.append(e)
        else:
            signed = []


def _two_roles(e: SignoffRecordedEvent, signed: list[SignoffRecordedEvent]) -> Iterator[Finding]:
    cert = load_cert_pem(e.certificate)
    for other in signed:
        if other.role != e.role and same_person(cert, load_cert_pem(other.certificate)):
            yield Finding(
                "broken",
                f"event {e.seq}: {e.signer.name} signs as {e.role} after signing as "
                f"{other.role} (event {other.seq}): one person cannot sign in two roles",
            )


def check_signoff(
    e: SignoffRecordedEvent,
    case_id: str,
    outcome: str | None,
    policy_sha: str,
    checker: TrustChecker,
) -> Iterator[Finding]:
    who = f"event {e.seq}: the {e.role} sign-off by {e.signer.name}"
    try:
        cert = load_cert_pem(e.certificate)
    except SigningError:
        yield Finding("broken", f"{who} carries no readable certificate")
        return
    problem = _intact_problem(e, case_id, outcome, policy_sha, cert)
    if problem:
        yield Finding("broken", f"{who} {problem}")
        return
    at = e.at
    if e.evidence is not None:  # judged when the timestamp proves it was signed, offline
        found = _evidence_problem(e, cert, checker)
        if isinstance(found, Finding):
            yield Finding(found.kind, f"{who} {found.text}")
            return
        at = found
    trust = checker.check(cert, at, chain_of(e.chain), e.role)
    if not trust.trusted:
        yield Finding("untrusted", f"{who} is not trusted: {trust.problem}")


def _evidence_problem(
    e: SignoffRecordedEvent, cert: x509.Certificate, checker: TrustChecker
) -> Finding | dt.datetime:
    """The time the sign-off's timestamp proves, or what is wrong with its evidence."""
    from bwvdisclose.trust.timestamps import check_evidence

    assert e.evidence is not None
    ev = e.evidence
    got = check_evidence(
        e.signature, ev.timestamp, ev.ocsp, ev.crls, cert, chain_of(e.chain),
        checker.roots.certificates,
    )  # fmt: skip
    if got.broken:
        return Finding("broken", f"has a timestamp that proves nothing: {got.broken}")
    if got.at is None or got.untrusted:
        return Finding(
            "untrusted", f"is not trusted at the time its timestamp proves: {got.untrusted}"
        )
    return got.at


def signoff_time(e: SignoffRecordedEvent, checker: TrustChecker) -> dt.datetime | None:
    """When a timestamped sign-off was signed, as its token proves; None without one."""
    if e.evidence is None:
        return None
    found = _evidence_problem(e, load_cert_pem(e.certificate), checker)
    return None if isinstance(found, Finding) else found


def _intact_problem(
    e: SignoffRecordedEvent, case_id: str, outcome: str | None, policy_sha: str, cert: object
) -> str:
    from cryptography import x509

    assert isinstance(cert, x509.Certificate)
    if e.head != e.prev:
        return f"signs {e.head[:12]}, not the head it follows ({e.prev[:12]})"
    if cert_fingerprint(cert) != e.fingerprint:
        return "names a fingerprint that is not its certificate's"
    message = signoff_statement(
        case_id=case_id, head=e.head, role=e.role, fingerprint=e.fingerprint,
        outcome=e.outcome, policy_sha256=e.policy_sha256,
    )  # fmt: skip
    if not verify_statement(e.certificate, message, e.signature, e.algorithm):
        return "does not verify: the signature is not over this statement by this key"
    if outcome != e.outcome or policy_sha != e.policy_sha256:
        return f"signs a {e.outcome} decision the case did not hold at that point"
    try:
        who = identity_of(cert, SIGNOFF_ROLES)
    except SigningError as exc:
        return f"has a certificate this tool refuses: {exc}"
    if who.role != e.role:
        return f"is recorded as {e.role} but the certificate is for {who.role}"
    named = (e.signer.name, e.signer.rank, e.signer.number)
    if named != (who.name, who.rank or "not stated", who.number or "none"):
        return (
            f"names the signer differently from the certificate ({who.describe()}): "
            "the log was edited"
        )
    return ""
