"""Trust roots, configured once: `--trust PEM` (repeatable) and `BWVDISCLOSE_TRUST`.

`BWVDISCLOSE_TRUST` names PEM files or folders of them (`*.pem`, `*.crt`), separated by
`:`; a file may hold several certificates. The roots are the force's root (or issuing)
CA certificates: every sign-off, seal and policy approval must chain to one of them.
No root is trusted by default, not even the shipped TEST CA.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bwvdisclose.errors import SigningError
from bwvdisclose.inputfile import read_input
from bwvdisclose.trust.profile import TEST_ORG

TRUST_ENV = "BWVDISCLOSE_TRUST"
MAX_TRUST_FILE = 1 << 20  # a PEM bundle larger than 1 MB is not a list of roots
MAX_ROOTS = 200


@dataclass(frozen=True)
class TrustRoots:
    """The certificates a force trusts, and where each came from."""

    certificates: tuple[x509.Certificate, ...] = ()
    sources: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.certificates)

    def test_roots(self) -> list[str]:
        """Subjects of roots marked TEST ONLY: they prove nothing about a real person."""
        return [
            c.subject.rfc4514_string()
            for c in self.certificates
            if any(TEST_ORG in str(a.value) for a in c.subject)
        ]

    def asn1(self) -> list[Any]:
        from asn1crypto import x509 as asn1_x509

        der = serialization.Encoding.DER
        return [asn1_x509.Certificate.load(c.public_bytes(der)) for c in self.certificates]


def as_roots(trust: TrustRoots | Iterable[x509.Certificate]) -> TrustRoots:
    """`trust` as TrustRoots; a plain sequence of certificates is accepted too."""
    return trust if isinstance(trust, TrustRoots) else TrustRoots(tuple(trust))


def load_roots(paths: Iterable[Path | str] = (), env: str | None = None) -> TrustRoots:
    """Roots from the given paths, and from `env` (the value of BWVDISCLOSE_TRUST) if set."""
    every = [Path(p) for p in paths]
    if env:
        every += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    certs: list[x509.Certificate] = []
    seen: set[bytes] = set()
    for path in every:
        for cert in _certificates_at(path):
            der = cert.public_bytes(serialization.Encoding.DER)
            if der not in seen:
                seen.add(der)
                certs.append(cert)
    if len(certs) > MAX_ROOTS:
        raise SigningError(f"{len(certs)} trust roots given; at most {MAX_ROOTS}")
    return TrustRoots(tuple(certs), tuple(str(p) for p in every))


def roots_from(paths: Sequence[Path]) -> TrustRoots:
    """`--trust` paths, else BWVDISCLOSE_TRUST: what every command that signs or verifies uses."""
    if paths:
        return load_roots(paths)
    return load_roots((), os.environ.get(TRUST_ENV, ""))


def _certificates_at(path: Path) -> list[x509.Certificate]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".pem", ".crt") and p.is_file())
        if not files:
            raise SigningError(f"trust folder {path} holds no .pem or .crt files")
        return [c for f in files for c in _certificates_at(f)]
    data = read_input(path, "trust root file", MAX_TRUST_FILE, SigningError)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise SigningError(f"trust root {path} is not a PEM certificate") from None
    return certs


def validation_context(
    roots: TrustRoots,
    moment: dt.datetime | None = None,
    *,
    other_certs: Iterable[x509.Certificate] = (),
    **options: Any,
) -> Any:
    """A pyhanko-certvalidator ValidationContext over `roots`, valid at `moment` (default now).

    No fetching and no revocation checks by default; `options` pass straight to
    ValidationContext (e.g. `crls=`, `ocsps=`, `revocation_mode=`, `allow_fetching=`),
    so timestamp and revocation checks add to this one context.
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import ValidationContext

    der = serialization.Encoding.DER
    options.setdefault("allow_fetching", False)
    return ValidationContext(
        trust_roots=roots.asn1(),
        other_certs=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in other_certs],
        moment=moment,
        **options,
    )
