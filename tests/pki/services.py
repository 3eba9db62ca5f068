"""The TEST PKI with live services: certomancer's TSA, OCSP responder and CRLs on 127.0.0.1.

`TestPki.start(folder)` generates the keys (RSA-2048, cryptography, at start: no private
key is committed), writes `config.yml` from `testpki.yml`, issues each sign-off identity
as an encrypted PKCS#12 file with its chain, and runs `certomancer animate` on a free
port of 127.0.0.1 until `stop()`. `restart(revoke=...)` serves the same certificates
with a signer revoked from a given moment, to show a record signed before that still
verifies. Used by the tests (fixtures) and by `make demo` (`python -m tests.pki`).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

TEMPLATE = Path(__file__).with_name("testpki.yml")
ARCH = "bwv-test"
PASSPHRASE = "bwvdisclose TEST PKI - not a real passphrase"
KEYS = ("root", "interm", "interm-ocsp", "tsa")
SIGNERS = ("amy-ward", "sam-okafor", "priya-shah", "rob-revoked", "lee-later", "eve-expiring")
START_TIMEOUT = 60.0


@dataclass
class TestPki:
    """A running (or stopped) test PKI in `folder`."""

    folder: Path
    port: int = 0
    expires: dt.datetime = field(
        default_factory=lambda: (
            dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
        )
    )
    revoked: dict[str, dt.datetime] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    _arch: Any = None

    __test__ = False  # not a pytest test class

    @classmethod
    def start(cls, folder: Path) -> TestPki:
        pki = cls(folder=folder)
        pki.setup()
        pki.serve()
        return pki

    # --- what the tests and the demo use ---------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    @property
    def root_pem(self) -> Path:
        return self.folder / "root.pem"

    def p12(self, signer: str) -> Path:
        return self.folder / "identities" / f"{signer}.p12"

    def pem(self, signer: str) -> Path:
        return self.folder / "identities" / f"{signer}.pem"

    # --- lifecycle -----------------------------------------------------------------------

    def setup(self) -> None:
        """Keys, configuration, certificates and PKCS#12 files; no service yet."""
        (self.folder / "keys").mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in KEYS + SIGNERS:
            _make_key(self.folder / "keys" / f"{name}.key.pem")
        self.port = self.port or free_port()
        self.write_config()
        self._issue()

    def write_config(self) -> None:
        config = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
        config["external-url-prefix"] = self.url
        config["keysets"][ARCH]["path-prefix"] = str(self.folder / "keys")
        certs = config["pki-architectures"][ARCH]["certs"]
        certs["eve-expiring"]["validity"]["valid-to"] = _stamp(self.expires)
        for name, since in self.revoked.items():
            certs[name]["revocation"] = {"revoked-since": _stamp(since), "reason": "key_compromise"}
        path = self.folder / "config.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    def serve(self) -> None:
        """Run `certomancer animate` on 127.0.0.1:port and wait until it answers."""
        log = (self.folder / "certomancer.log").open("ab")
        command = [
            sys.executable, "-m", "certomancer", "--config", str(self.folder / "config.yml"),
            "animate", "--port", str(self.port), "--no-web-ui", "--no-time-override",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        (self.folder / "certomancer.pid").write_text(f"{self.process.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = (self.folder / "certomancer.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"certomancer did not start on port {self.port}:\n{tail}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        (self.folder / "certomancer.pid").unlink(missing_ok=True)

    def restart(self, revoke: dict[str, dt.datetime] | None = None) -> None:
        """Serve the same certificates again, with these signers revoked from these times."""
        self.stop()
        self.revoked.update(revoke or {})
        self.write_config()
        self.serve()

    # --- certificates ----------------------------------------------------------------

    def certificate(self, label: str) -> x509.Certificate:
        from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig

        if self._arch is None:
            config = CertomancerConfig.from_file(str(self.folder / "config.yml"))
            self._arch = config.get_pki_arch(ArchLabel(ARCH))
        cert = self._arch.get_cert(CertLabel(label))
        return x509.load_der_x509_certificate(cert.dump())

    def _issue(self) -> None:
        root, interm = self.certificate("root"), self.certificate("interm")
        pem = serialization.Encoding.PEM
        self.root_pem.write_bytes(root.public_bytes(pem))
        (self.folder / "tsa.pem").write_bytes(self.certificate("tsa").public_bytes(pem))
        out = self.folder / "identities"
        out.mkdir(mode=0o700, exist_ok=True)
        for name in SIGNERS:
            cert = self.certificate(name)
            key = serialization.load_pem_private_key(
                (self.folder / "keys" / f"{name}.key.pem").read_bytes(), None
            )
            assert isinstance(key, rsa.RSAPrivateKey)
            data = pkcs12.serialize_key_and_certificates(
                name.encode(), key, cert, [interm, root],
                serialization.BestAvailableEncryption(PASSPHRASE.encode()),
            )  # fmt: skip
            _write_private(self.p12(name), data)
            self.pem(name).write_bytes(cert.public_bytes(pem))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _make_key(path: Path) -> None:
    if path.exists():
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(path, data)


def _write_private(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def stop_pid_file(folder: Path) -> None:
    """Stop the service a `python -m tests.pki up` left running (the demo's clean-up)."""
    pid_file = folder / "certomancer.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)
