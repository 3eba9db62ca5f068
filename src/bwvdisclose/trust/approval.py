"""Policy approvals: a policy owner's signature over a policy version's SHA-256.

An approval lives beside the policy folder, outside what is hashed:
`criteria/NAME.approval.json` for `criteria/NAME/`. It holds a list of approvals (a
force adds its own beside the shipped TEST one). A policy version can decide a case
only when one of them verifies over the folder's SHA-256 and its signer's certificate
carries the `policy_owner` role and chains to a trust root. The approval used is
copied into the decision event, so the case log, the record and `audit verify` can
check it later without the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from bwvdisclose.case import (
    DecisionRecordedEvent,
    Event,
    PolicyApproval,
    RecommendationComputedEvent,
)
from bwvdisclose.errors import PolicyError, SigningError, TrustError
from bwvdisclose.inputfile import read_input
from bwvdisclose.policy.models import Policy
from bwvdisclose.store.files import replace_file
from bwvdisclose.trust.keys import (
    cert_fingerprint,
    cert_pem,
    chain_of,
    check_in_date,
    intermediates,
    load_cert_pem,
)
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.profile import POLICY_OWNER, identity_of
from bwvdisclose.trust.signoff import Finding
from bwvdisclose.trust.statement import (
    AnyIdentity,
    approval_statement,
    sign_statement,
    verify_statement,
)

FORMAT = "bwvdisclose-policy-approvals/1"
MAX_FILE = 1 << 20
MAX_APPROVALS = 100


def approval_path(folder: Path) -> Path:
    """Where the approvals of the policy in `folder` live: beside it, not inside it."""
    folder = Path(folder).resolve()
    return folder.parent / f"{folder.name}.approval.json"


def load_approvals(folder: Path) -> list[PolicyApproval]:
    """The approvals beside `folder` (none if there is no file); a bad file is an error."""
    path = approval_path(folder)
    if not os.path.lexists(path):
        return []
    data = read_input(path, "policy approvals file", MAX_FILE, PolicyError)
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        items = doc.get("approvals")
        if not isinstance(items, list) or len(items) > MAX_APPROVALS:
            raise ValueError(f"'approvals' must be a list of at most {MAX_APPROVALS}")
        return [PolicyApproval.model_validate(item) for item in items]
    except (ValueError, ValidationError) as exc:
        text = " ".join(str(exc).split())[:300]
        raise PolicyError(f"{path}: {text}") from None


def approve(
    folder: Path, policy: Policy, identity: AnyIdentity, checker: TrustChecker, now: dt.datetime
) -> tuple[PolicyApproval, Path]:
    """Sign the policy's SHA-256 as its owner and add the approval to the file beside it."""
    cert = identity.certificate
    owner = identity_of(cert, (POLICY_OWNER,))
    check_in_date(cert, f"the certificate of {owner.name}", now)
    trust = checker.check(cert, now, identity.chain, POLICY_OWNER)
    if not trust.trusted:
        raise TrustError(f"{owner.name}'s certificate is not trusted: {trust.problem}")
    fingerprint = cert_fingerprint(cert)
    existing = load_approvals(folder)
    if any(a.fingerprint == fingerprint and a.sha256 == policy.sha256 for a in existing):
        raise PolicyError(
            f"{owner.name} has already approved {policy.id} {policy.version} "
            f"(sha256 {policy.sha256[:16]})"
        )
    approval = approval_of(policy, identity, now)
    kept = [a for a in existing if a.sha256 == policy.sha256]  # approvals of old versions go
    doc = {"format": FORMAT, "approvals": [a.model_dump() for a in [*kept, approval]]}
    path = approval_path(folder)
    replace_file(path, (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode())
    return approval, path


def approval_of(policy: Policy, identity: AnyIdentity, at: dt.datetime) -> PolicyApproval:
    """The signed approval of `policy` by `identity` at `at` (written nowhere)."""
    cert = identity.certificate
    fingerprint = cert_fingerprint(cert)
    when = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = approval_statement(
        policy_id=policy.id, version=policy.version, sha256=policy.sha256,
        approved_at=when, fingerprint=fingerprint,
    )  # fmt: skip
    signature, algorithm = sign_statement(identity, message)
    return PolicyApproval(
        policy_id=policy.id, version=policy.version, sha256=policy.sha256, approved_at=when,
        certificate=cert_pem(cert), fingerprint=fingerprint, signature=signature,
        algorithm=algorithm, chain=intermediates(identity.chain),
    )  # fmt: skip


def approval_problem(approval: PolicyApproval, sha256: str) -> str:
    """Why `approval` is not an intact approval of `sha256` ("" when it is)."""
    if approval.sha256 != sha256:
        return f"approves sha256 {approval.sha256[:16]}, not this version ({sha256[:16]})"
    try:
        cert = load_cert_pem(approval.certificate)
        role = identity_of(cert).role
    except SigningError as exc:
        return f"has a certificate this tool refuses: {exc}"
    if role != POLICY_OWNER:
        return (
            f"is signed with a {role} certificate; only a {POLICY_OWNER} certificate "
            "approves a policy"
        )
    if cert_fingerprint(cert) != approval.fingerprint:
        return "names a fingerprint that is not its certificate's"
    message = approval_statement(
        policy_id=approval.policy_id, version=approval.version, sha256=approval.sha256,
        approved_at=approval.approved_at, fingerprint=approval.fingerprint,
    )  # fmt: skip
    if not verify_statement(approval.certificate, message, approval.signature, approval.algorithm):
        return "does not verify: the signature is not over this policy by this key"
    return ""


def approval_trust(approval: PolicyApproval, checker: TrustChecker, at: dt.datetime) -> str:
    """Why the approver is not trusted at `at` ("" when trusted)."""
    cert = load_cert_pem(approval.certificate)
    trust = checker.check(cert, at, chain_of(approval.chain), POLICY_OWNER)
    return "" if trust.trusted else trust.problem


def approver(approval: PolicyApproval) -> str:
    """Who signed `approval`, whatever role their certificate is for (a wrong role is the
    problem `approval_problem` names)."""
    try:
        return identity_of(load_cert_pem(approval.certificate)).describe()
    except SigningError:
        return "an unreadable certificate"


def find_approval(
    folder: Path, policy: Policy, checker: TrustChecker, at: dt.datetime
) -> PolicyApproval:
    """A trusted, intact approval of this policy version, or an error saying why there is none."""
    reasons = []
    for approval in load_approvals(folder):
        problem = approval_problem(approval, policy.sha256)
        if not problem:
            problem = approval_trust(approval, checker, at)
            if not problem:
                return approval
        reasons.append(f"the approval by {approver(approval)} {problem}")
    named = f"{policy.id} version {policy.version} (sha256 {policy.sha256[:16]})"
    if not reasons:
        raise TrustError(
            f"policy {named} is not approved: no approval at {approval_path(folder)}; "
            "a policy owner approves it with `bwvdisclose criteria approve DIR --key ...`"
        )
    raise TrustError(
        f"policy {named} is not approved by a trusted policy owner: " + "; ".join(reasons)
    )


def check_decisions(events: Iterable[Event], checker: TrustChecker) -> Iterator[Finding]:
    """Every decision in a log names an intact approval of the policy it used, trusted then."""
    policy_sha = ""
    for e in events:
        if isinstance(e, RecommendationComputedEvent):
            policy_sha = e.policy.sha256
        elif isinstance(e, DecisionRecordedEvent):
            where = f"event {e.seq}: the {e.outcome} decision"
            if e.approval is None:
                yield Finding("untrusted", f"{where} was made under a policy with no approval")
                continue
            problem = approval_problem(e.approval, policy_sha)
            if problem:
                yield Finding("broken", f"{where}: the policy approval {problem}")
                continue
            problem = approval_trust(e.approval, checker, e.at)
            if problem:
                yield Finding(
                    "untrusted",
                    f"{where}: the policy approval by {approver(e.approval)} is not trusted: "
                    f"{problem}",
                )
