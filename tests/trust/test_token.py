"""Keys on a PKCS#11 token: a real SoftHSM2 token, private to the test, signs a sign-off and
seals the record; the PIN comes from an environment variable, never an argument."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from bwvdisclose.cli.main import cli
from bwvdisclose.errors import SigningError
from bwvdisclose.trust.keys import load_identity
from bwvdisclose.trust.statement import sign_statement, verify_statement
from bwvdisclose.trust.token import open_token
from tests.conftest import TestAuthority
from tests.flow.conftest import ENV, PASS_ENV, Keys, decide, new_case, sign
from tests.flow.conftest import keys as keys  # the session fixture, reused

LIB = Path("/usr/lib/softhsm/libsofthsm2.so")
LABEL, KEY, PIN, SO_PIN = "bwv-test", "decider", "4912-pin", "so-7713"

pytestmark = pytest.mark.skipif(
    not LIB.exists() or not shutil.which("softhsm2-util") or not shutil.which("pkcs11-tool"),
    reason="SoftHSM2 and opensc are installed by `make sysdeps`",
)


@dataclass(frozen=True)
class Token:
    conf: Path
    certificate_pem: str

    def options(self) -> list[str]:
        return ["--pkcs11-lib", str(LIB), "--token-label", LABEL, "--key-label", KEY]


def _tool(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, test_ca: TestAuthority) -> Iterator[Token]:
    """A fresh SoftHSM2 token in a private folder holding a decision maker's key and
    certificate (and the CA certificate), issued by the tests' CA."""
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    issued = test_ca.issue(base / "keys", "Tom Reed", "decision_maker", rank="Inspector",
                           number="5150")  # fmt: skip
    identity = load_identity(issued.p12, issued.passphrase)
    key_pem = base / "key.pem"  # only to import it; removed at once
    key_pem.write_bytes(
        identity.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_pem.chmod(0o600)
    der = serialization.Encoding.DER
    (base / "cert.der").write_bytes(identity.certificate.public_bytes(der))
    (base / "ca.der").write_bytes(test_ca.ca.certificate.public_bytes(der))
    _tool("softhsm2-util", "--init-token", "--free", "--label", LABEL, "--so-pin", SO_PIN,
          "--pin", PIN, env=env)  # fmt: skip
    _tool("softhsm2-util", "--import", str(key_pem), "--token", LABEL, "--label", KEY,
          "--id", "01", "--pin", PIN, env=env)  # fmt: skip
    key_pem.unlink()
    for name, label, ident in (("cert.der", KEY, "01"), ("ca.der", "ca", "02")):
        _tool("pkcs11-tool", "--module", str(LIB), "--token-label", LABEL, "--login",
              "--pin", PIN, "--write-object", str(base / name), "--type", "cert",
              "--label", label, "--id", ident, env=env)  # fmt: skip
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # the library reads it when it is loaded
    pem = identity.certificate.public_bytes(serialization.Encoding.PEM).decode()
    yield Token(conf, pem)
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def test_the_token_signs_and_holds_the_chain(token: Token, test_ca: TestAuthority) -> None:
    identity = open_token(LIB, LABEL, KEY, PIN)
    try:
        assert identity.certificate.public_bytes(serialization.Encoding.PEM).decode() == (
            token.certificate_pem
        )
        assert [c.subject for c in identity.chain] == [test_ca.ca.certificate.subject]
        signature, algorithm = sign_statement(identity, b"statement")
        assert algorithm == "rsa-pkcs1v15-sha256"
        assert verify_statement(token.certificate_pem, b"statement", signature, algorithm)
        assert not verify_statement(token.certificate_pem, b"statemenT", signature, algorithm)
    finally:
        identity.close()


@pytest.mark.parametrize(
    ("label", "key", "pin", "message"),
    [
        (LABEL, KEY, "0000-wrong", "cannot open token"),
        ("no-such-token", KEY, PIN, "cannot open token 'no-such-token'"),
        (LABEL, "no-such-key", PIN, "holds no key and certificate labelled 'no-such-key'"),
    ],
)
def test_token_problems_are_one_clear_error(
    token: Token, label: str, key: str, pin: str, message: str
) -> None:
    with pytest.raises(SigningError, match=message) as info:
        open_token(LIB, label, key, pin)
    assert pin not in str(info.value)


def run(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={**ENV, **env}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sign_off_and_seal_with_a_token_key(token: Token, keys: Keys, tmp_path: Path) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    pin = {"TOKEN_PIN": PIN}
    code, out, err = run(
        "sign", case_id, "--role", "decision_maker", *token.options(), "--pin-env", "TOKEN_PIN",
        "--store", str(store), **pin,
    )  # fmt: skip
    assert code == 0, err
    assert "signed as decision maker by Tom Reed" in out
    for who, role in [("sam-okafor", "legal"), ("priya-shah", "data_protection")]:
        assert sign(store, keys, case_id, who, role)[0] == 0
    pdf = tmp_path / "record.pdf"
    code, out, err = run(
        "record", case_id, *token.options(), "--pin-env", "TOKEN_PIN", "--out", str(pdf),
        "--store", str(store), **pin,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("verify", str(pdf))
    assert code == 0 and out.endswith("verified\n"), out + err
    assert "the PDF is signed with the decision maker's certificate" in out
    checked = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in checked.stdout, checked.stdout
    assert "Signer Certificate Common Name: Tom Reed" in checked.stdout
    for text in (out, err):
        assert PIN not in text


def test_the_pin_is_asked_for_hidden_or_read_from_the_environment(
    token: Token, tmp_path: Path
) -> None:
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    result = CliRunner().invoke(
        cli,
        ["sign", case_id, "--role", "decision_maker", *token.options(), "--store", str(store)],
        env=ENV,
        input="0000-wrong\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 1 and "cannot open token" in result.stderr
    assert "User PIN for token bwv-test: \n" in result.stderr and "0000-wrong" not in result.output
    code, _, err = run(
        "sign", case_id, "--role", "decision_maker", *token.options(), "--pin", PIN,
        "--store", str(store),
    )  # fmt: skip
    assert code == 2 and "No such option '--pin'" in err and PIN not in err


def test_a_key_file_and_a_token_together_are_refused(token: Token, keys: Keys) -> None:
    code, _, err = run(
        "sign", "BWV-2026-0001", "--role", "legal", "--key", keys.p12("sam-okafor"),
        "--passphrase-env", PASS_ENV, *token.options(),
    )  # fmt: skip
    assert code == 2 and "not both" in err
