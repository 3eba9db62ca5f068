from __future__ import annotations

import re
import stat
from pathlib import Path

from click.testing import CliRunner

from bwvdisclose.cli.main import cli
from bwvdisclose.signing import cert_fingerprint, load_cert_pem, load_identity, subject_details


def _create(runner: CliRunner, out: Path, *extra: str, env: dict[str, str] | None = None,
            input: str | None = None) -> tuple[int, str]:  # fmt: skip
    args = ["keys", "create", "--name", "Sam Okafor", "--role", "legal", "--out", str(out)]
    result = runner.invoke(cli, [*args, *extra], env=env, input=input)
    return result.exit_code, result.output


def test_create_with_env_passphrase(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _create(
        runner, tmp_path, "--rank", "Sergeant", "--number", "PC 123",
        "--passphrase-env", "BWV_KEY_PASS", env={"BWV_KEY_PASS": "pass phrase 1"},
    )  # fmt: skip
    assert code == 0, output
    p12, pem = tmp_path / "sam-okafor.p12", tmp_path / "sam-okafor.pem"
    assert f"key (encrypted PKCS#12): {p12}" in output
    assert f"certificate (PEM):       {pem}" in output
    fingerprint = re.search(r"fingerprint \(SHA-256\):\s+([0-9a-f]{64})", output)
    assert fingerprint and fingerprint[1] == cert_fingerprint(load_cert_pem(pem))
    assert "TEST certificate" in output
    assert "pass phrase 1" not in output
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    identity = load_identity(p12, b"pass phrase 1")
    details = subject_details(identity.certificate)
    assert (details["rank"], details["number"], details["role"]) == ("Sergeant", "PC 123", "legal")


def test_create_prompts_twice_with_hidden_input(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _create(runner, tmp_path, input="typed secret\ntyped secret\n")
    assert code == 0, output
    assert "Key passphrase: \nRepeat for confirmation: \n" in output
    assert "typed secret" not in output
    load_identity(tmp_path / "sam-okafor.p12", b"typed secret")


def test_missing_env_var_is_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _create(runner, tmp_path, "--passphrase-env", "BWV_UNSET_VARIABLE", env={})
    assert code == 1
    assert output.strip() == "error: environment variable BWV_UNSET_VARIABLE is not set or is empty"
    assert list(tmp_path.iterdir()) == []


def test_unknown_role_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["keys", "create", "--name", "X", "--role", "chief", "--out", "o"])
    assert result.exit_code == 2
    assert "decision_maker" in result.output


def test_keys_help(runner: CliRunner) -> None:
    for args in (["keys", "--help"], ["keys", "create", "--help"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert "TEST certificate" in result.output
