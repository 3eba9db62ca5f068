"""Fixtures on the live TEST PKI: certomancer's TSA, OCSP and CRLs on 127.0.0.1.

The services start once per session and stop at its end; cases are built through the
real commands with identities the TEST PKI issued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bwvdisclose.cli.main import cli
from tests.conftest import DEMO_CA
from tests.flow.conftest import DEMO, ENV, INTAKE, publish_options
from tests.pki import PASSPHRASE, TestPki

PKI_PASS_ENV = "TEST_PKI_PASSPHRASE"
LTV_ENV = {**ENV, PKI_PASS_ENV: PASSPHRASE, "BWVDISCLOSE_DEBUG": None}
SIGNOFFS = [
    ("amy-ward", "decision_maker"),
    ("sam-okafor", "legal"),
    ("priya-shah", "data_protection"),
]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """The TEST PKI's root joins the trust roots (with the demo CA that approved the
    shipped policies) while it runs: its identities sign off and seal."""
    services = TestPki.start(tmp_path_factory.mktemp("pki"))
    old = os.environ.get("BWVDISCLOSE_TRUST", "")
    os.environ["BWVDISCLOSE_TRUST"] = os.pathsep.join([str(services.root_pem), old])
    try:
        yield services
    finally:
        os.environ["BWVDISCLOSE_TRUST"] = old
        services.stop()


def trust(pki: TestPki) -> list[str]:
    """`--trust` for the TEST PKI's root and the demo CA (which approved the policy)."""
    return ["--trust", str(pki.root_pem), "--trust", str(DEMO_CA)]


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """The CLI in-process; an exception escaping it fails the test."""
    full = {**LTV_ENV, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=full, catch_exceptions=False)


def ok(result: Result) -> str:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@dataclass(frozen=True)
class Case:
    store: Path
    case_id: str


def signed_case(store: Path, pki: TestPki, maker: str = "amy-ward", tsa: bool = True) -> Case:
    """A case decided and signed off by TEST PKI identities, `maker` as decision maker.

    With `tsa`, every sign-off is timestamped (and its signer's status fetched).
    """
    case_id = ok(run("new", *INTAKE, "--answers", str(DEMO), "--store", str(store))).strip()
    publishing = publish_options("publish_with_redactions")
    ok(
        run(
            "decide",
            case_id,
            "--outcome",
            "publish_with_redactions",
            *publishing,
            "--store",
            str(store),
        )
    )
    stamp = ["--tsa", pki.tsa_url] if tsa else []
    for who, role in [(maker, "decision_maker"), *SIGNOFFS[1:]]:
        ok(run("sign", case_id, "--role", role, "--key", str(pki.p12(who)),
               "--passphrase-env", PKI_PASS_ENV, "--store", str(store), *stamp))  # fmt: skip
    return Case(store, case_id)


def record(case: Case, pki: TestPki, out: Path, maker: str = "amy-ward", *extra: str) -> Result:
    return run(
        "record", case.case_id, "--key", str(pki.p12(maker)), "--passphrase-env", PKI_PASS_ENV,
        "--out", str(out), "--store", str(case.store), *trust(pki), *extra,
    )  # fmt: skip


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` by relative path, with its SHA-256: to show nothing changed."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@dataclass(frozen=True)
class Sealed:
    case: Case
    pdf: Path
    made: dt.datetime


@pytest.fixture(scope="session")
def sealed(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Sealed:
    """A B-LTA record of a case signed off by the TEST PKI's three identities."""
    folder = tmp_path_factory.mktemp("lta")
    case = signed_case(folder / "store", pki)
    out = folder / "record.pdf"
    ok(record(case, pki, out, "amy-ward", "--tsa", pki.tsa_url))
    return Sealed(case, out, dt.datetime.now(dt.UTC))
