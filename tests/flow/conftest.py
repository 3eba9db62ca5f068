"""A signed-off case, built once per session through the real commands (RSA keys are slow)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bwvdisclose.cli.main import cli
from tests.conftest import ROOT, TestAuthority

PASS_ENV = "TEST_PASSPHRASE"
PASS = "correct horse battery staple"  # tests.conftest.PASSPHRASE
DEMO = ROOT / "tests" / "data" / "answers" / "protest-2020.1.yaml"  # demo answers, 2020.1
INTAKE = [
    "--incident-ref",
    "CAD 1/21NOV",
    "--occurred",
    "2026-11-20T14:30",
    "--location",
    "Whitehall",
]
ENV = {"BWVDISCLOSE_USER": "PC Jane Smith", "BWVDISCLOSE_NUMBER": "PC1234", PASS_ENV: PASS}


@dataclass(frozen=True)
class Keys:
    folder: Path

    def p12(self, who: str) -> str:
        return str(self.folder / f"{who}.p12")

    def pem(self, who: str) -> str:
        return str(self.folder / f"{who}.pem")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory, test_ca: TestAuthority) -> Keys:
    folder = tmp_path_factory.mktemp("flowkeys")
    for name, role, number in [
        ("Amy Ward", "decision_maker", "4711"),
        ("Sam Okafor", "legal", "L220"),
        ("Priya Shah", "data_protection", "D17"),
        ("Pat Twohats", "legal", "4711"),
    ]:
        test_ca.issue(folder, name, role, rank="Inspector", number=number)
    return Keys(folder)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def new_case(store: Path, answers: Path = DEMO) -> str:
    code, out, err = run("new", *INTAKE, "--answers", str(answers), "--store", str(store))
    assert code == 0, err
    return out.strip()


REVIEW_BY = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)).isoformat()
# What the decision maker did about the demo's conditions (2020.1: force shown, viral).
DEMO_NOTES = {
    "explanatory_context_required": "Press statement explains the baton use",
    "amplification_warning": "Digital team briefed; comments monitored",
}


def publish_options(outcome: str, notes: dict[str, str] | None = None) -> list[str]:
    """--review-by and a --note for each condition, for a decision to publish the demo."""
    if outcome == "do_not_publish":
        return [f"--note={k}={v}" for k, v in (notes or {}).items()]
    given = DEMO_NOTES if notes is None else notes
    return ["--review-by", REVIEW_BY, *(f"--note={k}={v}" for k, v in given.items())]


def decide(
    store: Path,
    case_id: str,
    outcome: str = "publish_with_redactions",
    why: str = "",
    notes: dict[str, str] | None = None,
) -> None:
    code, _, err = run(
        "decide",
        case_id,
        "--outcome",
        outcome,
        "--rationale",
        why,
        *publish_options(outcome, notes),
        "--store",
        str(store),
        "--user",
        "Amy Ward",
        "--number",
        "4711",
    )
    assert code == 0, err


def sign(store: Path, keys: Keys, case_id: str, who: str, role: str) -> tuple[int, str, str]:
    return run(
        "sign",
        case_id,
        "--role",
        role,
        "--key",
        keys.p12(who),
        "--passphrase-env",
        PASS_ENV,
        "--store",
        str(store),
    )


def sign_all(store: Path, keys: Keys, case_id: str) -> None:
    for who, role in [
        ("amy-ward", "decision_maker"),
        ("sam-okafor", "legal"),
        ("priya-shah", "data_protection"),
    ]:
        code, _, err = sign(store, keys, case_id, who, role)
        assert code == 0, err


@dataclass(frozen=True)
class Signed:
    store: Path
    case_id: str
    pdf: Path


@pytest.fixture(scope="session")
def signed(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Signed:
    store = tmp_path_factory.mktemp("flow") / "store"
    case_id = new_case(store)
    decide(store, case_id)
    sign_all(store, keys, case_id)
    out = store.parent / "record.pdf"
    code, _, err = run(
        "record",
        case_id,
        "--key",
        keys.p12("amy-ward"),
        "--passphrase-env",
        PASS_ENV,
        "--out",
        str(out),
        "--store",
        str(store),
    )
    assert code == 0, err
    return Signed(store, case_id, out)


FIXED = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
