"""Bad keys, certificates and passphrases, through `sign`, `record` and `verify FILE.pdf`.

Garbage and truncated PKCS#12 files, a certificate or a bare PEM key given as the key, a
PKCS#12 without a key or without a certificate, an Ed25519 key, certificates expired or
not valid yet or for another role, wrong and missing passphrases: one message each,
exit 1 (2 where click refuses the path), nothing signed, nothing stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.flow.conftest import PASS, PASS_ENV, Keys, Signed

from .conftest import Store, assert_refused, run

NOW = dt.datetime.now(dt.UTC)
ENCRYPT = serialization.BestAvailableEncryption(PASS.encode())


def _cert(key: object, role: str, start: dt.datetime, end: dt.datetime) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Kim Test"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "K9"),
        ]
    )
    public = key.public_key()  # type: ignore[attr-defined]
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
    builder = builder.serial_number(x509.random_serial_number())
    builder = builder.not_valid_before(start).not_valid_after(end)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)  # type: ignore[arg-type]


def _p12(key: object, cert: x509.Certificate | None, password: bytes = PASS.encode()) -> bytes:
    enc = serialization.BestAvailableEncryption(password)
    return pkcs12.serialize_key_and_certificates(b"k", key, cert, None, enc)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def bad(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> dict[str, Path]:
    """Each bad key file, by what is wrong with it."""
    folder = tmp_path_factory.mktemp("badkeys")
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    day = dt.timedelta(days=1)
    good = Path(keys.p12("sam-okafor")).read_bytes()
    files: dict[str, bytes] = {
        "garbage.p12": bytes(range(256)) * 8,
        "empty.p12": b"",
        "truncated.p12": good[: len(good) // 2],
        "certificate-as-key.p12": Path(keys.pem("sam-okafor")).read_bytes(),
        "plain-pem-key.p12": ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "certificate-only.p12": _p12(None, _cert(ec_key, "legal", NOW - day, NOW + day)),
        "key-only.p12": _p12(ec_key, None),
        "ed25519.p12": _p12(ed_key, _cert(ed_key, "legal", NOW - day, NOW + day)),
        "expired.p12": _p12(ec_key, _cert(ec_key, "legal", NOW - 9 * day, NOW - day)),
        "not-yet-valid.p12": _p12(ec_key, _cert(ec_key, "legal", NOW + day, NOW + 9 * day)),
        "other-passphrase.p12": _p12(
            ec_key, _cert(ec_key, "legal", NOW - day, NOW + day), b"another one"
        ),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    paths["wrong-role.p12"] = Path(keys.p12("priya-shah"))  # a data_protection certificate
    paths["missing.p12"] = folder / "missing.p12"
    (folder / "folder.p12").mkdir()
    paths["folder.p12"] = folder / "folder.p12"
    return paths


NOT_P12 = "wrong passphrase or not a PKCS#12 file"
NO_KEY = "does not hold an EC or RSA key and its certificate"
KEYS: dict[str, tuple[int, str]] = {
    "garbage.p12": (1, NOT_P12),
    "empty.p12": (1, NOT_P12),
    "truncated.p12": (1, NOT_P12),
    "certificate-as-key.p12": (1, NOT_P12),
    "plain-pem-key.p12": (1, NOT_P12),
    "certificate-only.p12": (1, NO_KEY),
    "key-only.p12": (1, NO_KEY),
    "ed25519.p12": (1, NO_KEY),
    "expired.p12": (1, "expired on"),
    "not-yet-valid.p12": (1, "is not valid until"),
    "other-passphrase.p12": (1, NOT_P12),
    "missing.p12": (1, "no such key file"),
    "folder.p12": (2, "is a directory"),
}


def _sign(store: Store, key: Path, role: str = "legal") -> list[str]:
    return [
        "sign", store.decided, "--role", role, "--key", str(key),
        "--passphrase-env", PASS_ENV, "--store", str(store.root),
    ]  # fmt: skip


def _record(store: Store, key: Path) -> list[str]:
    return [
        "record", store.signed, "--key", str(key),
        "--passphrase-env", PASS_ENV, "--store", str(store.root),
    ]  # fmt: skip


@pytest.mark.parametrize("command", [_sign, _record], ids=["sign", "record"])
@pytest.mark.parametrize("name", KEYS)
def test_bad_key_file(
    unchanged: Store, bad: dict[str, Path], name: str, command: Callable[..., list[str]]
) -> None:
    code, message = KEYS[name]
    assert_refused(run(*command(unchanged, bad[name])), code, message)


def test_a_certificate_for_another_role(unchanged: Store, bad: dict[str, Path]) -> None:
    result = run(*_sign(unchanged, bad["wrong-role.p12"], role="legal"))
    assert_refused(result, 1, "this certificate is for the data_protection role, not legal")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({PASS_ENV: "not the passphrase"}, NOT_P12),
        ({PASS_ENV: None}, f"environment variable {PASS_ENV} is not set or is empty"),
        ({PASS_ENV: ""}, f"environment variable {PASS_ENV} is not set or is empty"),
        ({PASS_ENV: "caf\udce9"}, f"the passphrase in {PASS_ENV} is not valid UTF-8 text"),
    ],
    ids=["wrong", "unset", "empty", "not UTF-8"],
)
def test_bad_passphrase(
    unchanged: Store, keys: Keys, env: dict[str, str | None], message: str
) -> None:
    for command in (_sign(unchanged, Path(keys.p12("sam-okafor"))),
                    _record(unchanged, Path(keys.p12("amy-ward")))):  # fmt: skip
        assert_refused(run(*command, env=env), 1, message)


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory, signed: Signed) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("badpdfs")
    data = signed.pdf.read_bytes()
    made = {
        "garbage.pdf": bytes(range(256)) * 8,
        "empty.pdf": b"",
        "truncated.pdf": data[: len(data) // 2],
        "no-signature.pdf": data[: data.rfind(b"%%EOF", 0, len(data) // 2 + len(data) // 4)],
        "text.pdf": b"%PDF-1.7\nnot really\n",
        "garbage.pem": b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
        "empty.pem": b"",
        "binary.pem": bytes(range(256)),
    }
    paths = {}
    for name, content in made.items():
        paths[name] = folder / name
        paths[name].write_bytes(content)
    (folder / "folder.pdf").mkdir()
    paths["folder.pdf"] = folder / "folder.pdf"
    paths["missing.pdf"] = folder / "missing.pdf"
    paths["signed.pdf"] = signed.pdf
    return paths


@pytest.mark.parametrize(
    ("target", "trust", "code", "message"),
    [
        ("garbage.pdf", None, 1, "the record FAILED verification"),
        ("empty.pdf", None, 1, "the record FAILED verification"),
        ("truncated.pdf", None, 1, "the record FAILED verification"),
        ("no-signature.pdf", None, 1, "the record FAILED verification"),
        ("text.pdf", None, 1, "the record FAILED verification"),
        ("folder.pdf", None, 1, "not a file (a folder); a record must be a file"),
        ("missing.pdf", None, 1, "no such record"),
        ("signed.pdf", "garbage.pem", 1, "not a PEM certificate"),
        ("signed.pdf", "empty.pem", 1, "not a PEM certificate"),
        ("signed.pdf", "binary.pem", 1, "not a PEM certificate"),
        ("signed.pdf", "missing.pem", 1, "no such trust root file"),
        ("signed.pdf", "folder.pdf", 1, "holds no .pem or .crt files"),  # a folder of roots
    ],
)
def test_bad_record_or_trust_file(
    unchanged: Store,
    pdfs: dict[str, Path],
    target: str,
    trust: str | None,
    code: int,
    message: str,
) -> None:
    extra = ["--trust", str(pdfs.get(trust, pdfs["garbage.pdf"].parent / trust))] if trust else []
    assert_refused(run("verify", str(pdfs[target]), *extra), code, message)
