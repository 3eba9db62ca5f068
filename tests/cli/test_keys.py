"""`keys ca` makes a TEST CA; `keys create --ca` issues TEST identities from it."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from bwvdisclose.cli.main import cli
from bwvdisclose.trust.keys import cert_fingerprint, load_cert_pem, load_identity
from bwvdisclose.trust.profile import identity_of

ENV = {"BWV_KEY_PASS": "pass phrase 1", "BWV_CA_PASS": "ca pass phrase"}


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-ca") / "ca"
    result = CliRunner().invoke(
        cli, ["keys", "ca", str(folder), "--passphrase-env", "BWV_CA_PASS"], env=ENV
    )
    assert result.exit_code == 0, result.output
    assert f"CA certificate (trust root): {folder / 'ca.pem'}" in result.output
    assert "TEST certificate authority" in result.output
    return folder


def _create(runner: CliRunner, ca: Path, out: Path, *extra: str, input: str | None = None,
            env: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
    args = ["keys", "create", "--name", "Sam Okafor", "--role", "legal", "--out", str(out),
            "--ca", str(ca), "--ca-passphrase-env", "BWV_CA_PASS"]  # fmt: skip
    result = runner.invoke(cli, [*args, *extra], env=ENV if env is None else env, input=input)
    return result.exit_code, result.output


def test_ca_files_are_private_and_the_root_is_a_ca(ca: Path) -> None:
    cert = load_cert_pem(ca / "ca.pem")
    assert cert.issuer == cert.subject
    assert "TEST ONLY" in cert.subject.rfc4514_string()
    for name in ("ca.pem", "ca.p12"):
        assert stat.S_IMODE((ca / name).stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in (ca / "ca.p12").read_bytes()


def test_create_issues_from_the_ca(runner: CliRunner, ca: Path, tmp_path: Path) -> None:
    code, output = _create(
        runner, ca, tmp_path, "--rank", "Sergeant", "--number", "PC 123",
        "--passphrase-env", "BWV_KEY_PASS",
    )  # fmt: skip
    assert code == 0, output
    p12, pem = tmp_path / "sam-okafor.p12", tmp_path / "sam-okafor.pem"
    fingerprint = re.search(r"fingerprint \(SHA-256\):\s+([0-9a-f]{64})", output)
    assert fingerprint and fingerprint[1] == cert_fingerprint(load_cert_pem(pem))
    assert "TEST certificate" in output and "pass phrase" not in output
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    identity = load_identity(p12, b"pass phrase 1")
    who = identity_of(identity.certificate)
    assert (who.name, who.role, who.rank, who.number) == (
        "Sam Okafor",
        "legal",
        "Sergeant",
        "PC 123",
    )
    identity.certificate.verify_directly_issued_by(load_cert_pem(ca / "ca.pem"))


def test_create_prompts_with_hidden_input(runner: CliRunner, ca: Path, tmp_path: Path) -> None:
    code, output = _create(runner, ca, tmp_path, input="typed secret\ntyped secret\n")
    assert code == 0, output
    assert "typed secret" not in output
    load_identity(tmp_path / "sam-okafor.p12", b"typed secret")


@pytest.mark.parametrize("number", ["N_1", "4711\u00e9", "x" * 65, "a;b"])
def test_a_number_a_certificate_cannot_hold_is_a_clear_usage_error(
    runner: CliRunner, ca: Path, tmp_path: Path, number: str
) -> None:
    """Found: `keys create --number N_1` ended in an internal error (exit 70)."""
    code, output = _create(runner, ca, tmp_path, "--number", number,
                           "--passphrase-env", "BWV_KEY_PASS")  # fmt: skip
    assert code == 2, output
    assert "cannot go in a certificate" in output and "internal error" not in output
    assert list(tmp_path.iterdir()) == []


def test_wrong_ca_passphrase_is_one_line(runner: CliRunner, ca: Path, tmp_path: Path) -> None:
    code, output = _create(runner, ca, tmp_path, "--passphrase-env", "BWV_KEY_PASS",
                           env={**ENV, "BWV_CA_PASS": "wrong"})  # fmt: skip
    assert code == 1 and output.count("\n") == 1 and "wrong passphrase" in output
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_a_ca_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _create(runner, tmp_path, tmp_path / "out", "--passphrase-env", "BWV_KEY_PASS")
    assert code == 1 and "is not a CA folder" in output


def test_missing_env_var_is_one_line_error(runner: CliRunner, ca: Path, tmp_path: Path) -> None:
    code, output = _create(runner, ca, tmp_path, "--passphrase-env", "BWV_UNSET_VARIABLE", env={})
    assert code == 1
    assert output.strip() == "error: environment variable BWV_UNSET_VARIABLE is not set or is empty"


def test_the_ca_is_not_overwritten(runner: CliRunner, ca: Path) -> None:
    result = runner.invoke(cli, ["keys", "ca", str(ca), "--passphrase-env", "BWV_CA_PASS"], env=ENV)
    assert result.exit_code == 1 and "refusing to overwrite a CA" in result.output


def test_unknown_role_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["keys", "create", "--name", "X", "--role", "chief", "--out", "o"])
    assert result.exit_code == 2
    assert "decision_maker" in result.output and "policy_owner" in result.output


def test_keys_help(runner: CliRunner) -> None:
    for args in (["keys", "--help"], ["keys", "create", "--help"], ["keys", "ca", "--help"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert "TEST" in result.output
