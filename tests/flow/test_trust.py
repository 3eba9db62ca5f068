"""Issue 10's findings, each reproduced as a forger would try it, and each refused or caught.

A forger here has their own CA ("rogue", TEST) issuing certificates with the real people's
names and numbers, and configures their own machine to trust it. The verifier trusts only
the tests' CA (which issued the real people's certificates) and the demo CA (which
approved the shipped policies).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from bwvdisclose.audit.verify import verify_case
from bwvdisclose.case import DecisionRecordedEvent, Event
from bwvdisclose.cli.main import cli
from bwvdisclose.policy import policy_sha256
from bwvdisclose.store.bulk import EventChain, write_case
from bwvdisclose.store.folder import FolderStore as CaseStore
from bwvdisclose.trust.ca import issue_test_identity, load_ca, make_test_ca
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.profile import TEST_ORG
from tests.conftest import CA_START, CRITERIA, DEMO_CA, TestAuthority, roots
from tests.flow.conftest import (
    DEMO,
    ENV,
    PASS,
    PASS_ENV,
    Keys,
    Signed,
    decide,
    new_case,
    publish_options,
    sign,
)


@dataclass(frozen=True)
class Rogue:
    """The forger's own CA and the identities it made, with the real people's names."""

    folder: Path
    keys: Path

    @property
    def trust(self) -> str:
        """What the forger puts in BWVDISCLOSE_TRUST on their own machine."""
        return os.pathsep.join([str(self.folder / "ca.pem"), os.environ["BWVDISCLOSE_TRUST"]])

    def p12(self, who: str) -> str:
        return str(self.keys / f"{who}.p12")


@pytest.fixture(scope="module")
def rogue(tmp_path_factory: pytest.TempPathFactory) -> Rogue:
    base = tmp_path_factory.mktemp("rogue")
    make_test_ca(base / "ca", PASS.encode(), name="Rogue CA", not_before=CA_START)
    ca = load_ca(base / "ca", PASS.encode())
    for name, role, number in [
        ("Amy Ward", "decision_maker", "4711"),
        ("Sam Okafor", "legal", "L220"),
        ("Priya Shah", "data_protection", "D17"),
        ("Olivia Grant", "policy_owner", "IG01"),
    ]:
        issue_test_identity(
            ca, base / "keys", PASS.encode(), name=name, role=role, rank="Inspector",
            number=number, not_before=CA_START, key_size=2048,
        )  # fmt: skip
    return Rogue(base / "ca", base / "keys")


def cli_run(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={**ENV, **env}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def key(path: str) -> list[str]:
    return ["--key", path, "--passphrase-env", PASS_ENV]


# --- finding 1: sign-offs by self-made keys with the real names ----------------------------


def test_signoffs_from_another_ca_are_refused_when_signing(
    tmp_path: Path, keys: Keys, rogue: Rogue
) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    code, _, err = cli_run(
        "sign", case_id, "--role", "legal", *key(rogue.p12("sam-okafor")), "--store", str(store)
    )
    assert code == 3, err
    assert "Sam Okafor's certificate is not trusted" in err and "does not chain" in err


@pytest.fixture(scope="module")
def forged(tmp_path_factory: pytest.TempPathFactory, keys: Keys, rogue: Rogue) -> Signed:
    """The real decision maker, with legal and data protection forged; sealed and recorded
    on the forger's machine, which trusts the rogue CA."""
    store = tmp_path_factory.mktemp("forged") / "s"
    case_id = new_case(store)
    decide(store, case_id)
    assert sign(store, keys, case_id, "amy-ward", "decision_maker")[0] == 0
    for who, role in [("sam-okafor", "legal"), ("priya-shah", "data_protection")]:
        code, _, err = cli_run(
            "sign", case_id, "--role", role, *key(rogue.p12(who)), "--store", str(store),
            BWVDISCLOSE_TRUST=rogue.trust,
        )  # fmt: skip
        assert code == 0, err
    pdf = store.parent / "forged.pdf"
    code, _, err = cli_run(
        "record", case_id, *key(keys.p12("amy-ward")), "--out", str(pdf), "--store", str(store),
        BWVDISCLOSE_TRUST=rogue.trust,
    )  # fmt: skip
    assert code == 0, err
    return Signed(store, case_id, pdf)


def test_verify_record_names_the_untrusted_signoffs(
    forged: Signed, keys: Keys, test_ca: TestAuthority
) -> None:
    """Found: with --trust naming the real signers, this printed "verified" and exited 0."""
    trust = ["--trust", str(test_ca.pem), "--trust", str(DEMO_CA)]
    code, out, err = cli_run("verify", str(forged.pdf), *trust)
    assert code == 3, out + err
    assert "verified" not in out.splitlines()[-1]
    untrusted = [line for line in out.splitlines() if line.startswith("NOT TRUSTED")]
    assert len(untrusted) == 2, out
    assert "legal sign-off by Sam Okafor is not trusted" in untrusted[0]
    assert "data_protection sign-off by Priya Shah is not trusted" in untrusted[1]
    assert "FAIL" not in out  # intact: the failure is trust, not integrity
    assert "intact but NOT TRUSTED" in err


def test_verify_case_and_audit_verify_check_signoff_trust(forged: Signed) -> None:
    """Found: `audit verify` checked no trust at all."""
    code, out, err = cli_run("verify", forged.case_id, "--store", str(forged.store))
    assert code == 3 and "NOT TRUSTED" in out and "Sam Okafor" in out, out + err
    code, out, err = cli_run("audit", "verify", "--store", str(forged.store))
    assert code == 3, out + err
    assert out.count("NOT TRUSTED") == 2 and "1 failed" in out


# --- finding 2: no trust roots, yet "verified" ---------------------------------------------


def test_without_trust_roots_nothing_is_verified(signed: Signed) -> None:
    """Found: without --trust every line said ok, "verified", exit 0."""
    code, out, err = cli_run("verify", str(signed.pdf), BWVDISCLOSE_TRUST="")
    assert code == 3, out + err
    assert not out.rstrip().endswith("verified")
    assert "no trust roots are configured" in out
    code, out, err = cli_run("audit", "verify", "--store", str(signed.store), BWVDISCLOSE_TRUST="")
    assert code == 3 and "no trust roots are configured" in out, out + err


def test_with_the_roots_the_real_record_is_verified(signed: Signed) -> None:
    code, out, err = cli_run("verify", str(signed.pdf))
    assert code == 0 and out.endswith("verified\n"), out + err
    code, out, err = cli_run("verify", signed.case_id, "--store", str(signed.store))
    assert code == 0 and "verified" in out, out + err


# --- finding 3: an edited copy of the policy, same id and version --------------------------


@pytest.fixture
def edited_policy(tmp_path: Path) -> Path:
    """The decision maker alone signs off any outcome; the approval file copied beside it."""
    folder = tmp_path / "criteria" / "met-bwv-2020"
    shutil.copytree(CRITERIA / "met-bwv-2020", folder)
    shutil.copy(CRITERIA / "met-bwv-2020.approval.json", folder.parent)
    policy = folder / "policy.yaml"
    text = policy.read_text()
    for outcome in ("publish", "publish_with_redactions"):
        text = text.replace(
            f"  {outcome}: [decision_maker, legal, data_protection]",
            f"  {outcome}: [decision_maker]",
        )
    policy.write_text(text)
    # The insider also points 2020.1's wording at the edited folder, so that it loads.
    wording = (CRITERIA / "met-bwv-2020.wording.yaml").read_text()
    shipped = policy_sha256(CRITERIA / "met-bwv-2020")
    (folder.parent / "met-bwv-2020.wording.yaml").write_text(
        wording.replace(shipped, policy_sha256(folder))
    )
    return folder


def test_an_edited_policy_is_not_approved(tmp_path: Path, edited_policy: Path) -> None:
    """Found: the edited copy passed `criteria check`, `record`, `verify`, `audit verify`."""
    code, out, err = cli_run("criteria", "check", str(edited_policy))
    assert code == 0, err
    assert "not approved" in out and "not this version" in out
    store = tmp_path / "s"
    case_id = new_case(store)  # opened under the shipped policy (same id)
    code, out, err = cli_run(
        "decide", case_id, "--outcome", "publish_with_redactions", "--store", str(store),
        "--criteria", str(edited_policy), "--user", "Amy Ward", "--number", "4711",
        *publish_options("publish_with_redactions"),
    )  # fmt: skip
    assert code == 3, out + err
    assert "is not approved by a trusted policy owner" in err


def test_a_case_decided_under_a_rogue_approval_fails_audit(
    tmp_path: Path, edited_policy: Path, keys: Keys, rogue: Rogue
) -> None:
    """The forger approves the edited policy with their own policy owner and decides."""
    as_forger = {"BWVDISCLOSE_TRUST": rogue.trust, "BWVDISCLOSE_CRITERIA": str(edited_policy)}
    code, _, err = cli_run(
        "criteria", "approve", str(edited_policy), *key(rogue.p12("olivia-grant")), **as_forger
    )
    assert code == 0, err
    store = tmp_path / "s"
    code, out, err = cli_run(
        "new", "--incident-ref", "CAD 2/21NOV", "--occurred", "2026-11-20T14:30", "--location",
        "Whitehall", "--answers", str(DEMO),
        "--store", str(store), **as_forger,
    )  # fmt: skip
    assert code == 0, err
    case_id = out.strip()
    code, _, err = cli_run(
        "decide", case_id, "--outcome", "publish_with_redactions", "--store", str(store),
        "--user", "Amy Ward", "--number", "4711", *publish_options("publish_with_redactions"),
        **as_forger,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = cli_run(
        "sign", case_id, "--role", "decision_maker", *key(keys.p12("amy-ward")),
        "--store", str(store), **as_forger,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli_run("audit", "verify", "--store", str(store))
    assert code == 3, out + err
    assert "the policy approval by Olivia Grant (policy_owner, IG01) is not trusted" in out


def test_a_decision_without_an_approval_fails_audit(signed: Signed, tmp_path: Path) -> None:
    events = CaseStore(signed.store).read(signed.case_id)

    def strip(seq: int, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "approval": None} if body["type"] == "decision_recorded" else body

    store = rebuild(events, strip, tmp_path)
    check = verify_case(store, signed.case_id, checker=checker())
    assert any("made under a policy with no approval" in t for t in check.untrusted), check


# --- finding 4: a sign-off signs a statement, not a bare head ------------------------------


def checker() -> TrustChecker:
    return TrustChecker(roots(*os.environ["BWVDISCLOSE_TRUST"].split(os.pathsep)))


def rebuild(
    events: list[Event], edit: Callable[[int, dict[str, Any]], dict[str, Any]], tmp_path: Path
) -> CaseStore:
    """The log rewritten with `edit` and every hash and signed head chained again: a forger
    with write access to the store and no one's key."""
    chain = EventChain()
    for e in events:
        body = e.model_dump(mode="json", exclude={"seq", "at", "actor", "prev", "hash"})
        body = edit(e.seq, body)
        if body["type"] in ("signoff_recorded", "record_rendered"):
            body["head"] = chain.head
        if body["type"] == "record_rendered":
            continue
        chain.add(e.at, e.actor, body)
    store = CaseStore(tmp_path / "rebuilt")
    write_case(store, chain.events)
    return store


RENAMED = "names the signer differently"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("signer", {"name": "Sam Oakley", "rank": "Inspector", "number": "L220"}, RENAMED),
        ("signer", {"name": "Sam Okafor", "rank": "Chief Constable", "number": "L220"}, RENAMED),
        ("signer", {"name": "Sam Okafor", "rank": "Inspector", "number": "1"}, RENAMED),
        ("role", "data_protection", "does not verify"),
        ("outcome", "publish", "does not verify"),
        ("policy_sha256", "ab" * 32, "does not verify"),
    ],
)  # fmt: skip
def test_editing_a_signoff_in_the_log_is_caught(
    signed: Signed, tmp_path: Path, field: str, value: object, problem: str
) -> None:
    """Found: renaming the signer (name, rank, number) in the log passed `audit verify`."""
    events = CaseStore(signed.store).read(signed.case_id)
    legal = next(e.seq for e in events if getattr(e, "role", None) == "legal")

    def change(seq: int, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, field: value} if seq == legal else body

    check = verify_case(rebuild(events, change, tmp_path), signed.case_id, checker=checker())
    mine = [f for f in check.failures if f"event {legal}: the " in f]
    assert mine and problem in mine[0], check.failures


def test_the_untouched_rebuild_passes(signed: Signed, tmp_path: Path) -> None:
    """The forger's tool itself changes nothing: the failures above are the edits'."""
    events = CaseStore(signed.store).read(signed.case_id)
    check = verify_case(
        rebuild(events, lambda s, b: b, tmp_path), signed.case_id, checker=checker()
    )
    assert check.ok, check


# --- finding 5: one person, one role; identity from the certificate ------------------------


def test_one_person_cannot_sign_in_two_roles_with_two_certificates(
    tmp_path: Path, keys: Keys, test_ca: TestAuthority
) -> None:
    """Found: one person signed in two roles with two keys (and two self-declared numbers)."""
    again = test_ca.issue(tmp_path / "k", "Amy Ward", "legal", rank="Inspector", number="4711")
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    assert sign(store, keys, case_id, "amy-ward", "decision_maker")[0] == 0
    code, _, err = cli_run(
        "sign", case_id, "--role", "legal", *key(str(again.p12)), "--store", str(store)
    )
    assert code == 1 and "one person cannot sign in two roles" in err, err
    code, _, err = cli_run(
        "sign", case_id, "--role", "legal", *key(str(again.p12)), "--number", "9999",
        "--store", str(store),
    )  # fmt: skip
    assert code == 2 and "No such option '--number'" in err  # a number is the CA's to say


def test_two_people_without_numbers_are_two_people(tmp_path: Path, test_ca: TestAuthority) -> None:
    """Found: two different people who both lack a number were refused as "the same person"."""
    folder = tmp_path / "k"
    for name, role in [("Jo Bloggs", "decision_maker"), ("Lee Park", "legal"),
                       ("Kim Roe", "data_protection")]:  # fmt: skip
        test_ca.issue(folder, name, role)
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    for who, role in [("jo-bloggs", "decision_maker"), ("lee-park", "legal"),
                      ("kim-roe", "data_protection")]:  # fmt: skip
        code, out, err = cli_run(
            "sign", case_id, "--role", role, *key(str(folder / f"{who}.p12")), "--store", str(store)
        )
        assert code == 0, err
    assert "All required sign-offs are present." in out


def _roleless(tmp_path: Path, ca: TestAuthority) -> Path:
    key_ = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORG),
        x509.NameAttribute(NameOID.COMMON_NAME, "No Role"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "N 1"),
    ])  # fmt: skip
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca.ca.certificate.subject)
        .public_key(key_.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(CA_START).not_valid_after(CA_START + dt.timedelta(days=3650))
        .add_extension(usage, critical=True)
        .sign(ca.ca.key, hashes.SHA256())  # type: ignore[arg-type]
    )  # fmt: skip
    path = tmp_path / "roleless.p12"
    encryption = serialization.BestAvailableEncryption(PASS.encode())
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"x", key_, cert, None, encryption))
    return path


def test_a_certificate_without_a_role_is_refused(tmp_path: Path, test_ca: TestAuthority) -> None:
    """Found: a certificate with no role was accepted for any role."""
    p12 = _roleless(tmp_path, test_ca)
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    for role in ("decision_maker", "legal"):
        code, _, err = cli_run(
            "sign", case_id, "--role", role, *key(str(p12)), "--store", str(store)
        )
        assert code == 1 and "carries no role" in err, err


def test_the_decision_event_keeps_the_approval(signed: Signed) -> None:
    events = CaseStore(signed.store).read(signed.case_id)
    decision = next(e for e in events if isinstance(e, DecisionRecordedEvent))
    assert decision.approval is not None and decision.approval.policy_id == "met-bwv-2020"


def test_show_names_the_approval(signed: Signed) -> None:
    code, out, err = cli_run("show", signed.case_id, "--store", str(signed.store))
    assert code == 0, err
    assert "Policy met-bwv-2020 version 2020.1 approved by Demo Policy Owner (policy_owner)" in out
