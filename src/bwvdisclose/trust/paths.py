"""Does a certificate chain to a trust root, valid at signing time, with the right key usage?

pyhanko-certvalidator builds and checks the path (signatures, validity periods, basic
constraints, name chaining, key usage). A `TrustChecker` remembers each validated path's
common validity window, so a store of thousands of sign-offs by the same few people is
checked once per certificate, not once per signature; any signing time outside the
window is validated again from scratch (and so fails with certvalidator's own reason).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from bwvdisclose.trust.profile import identity_of
from bwvdisclose.trust.roots import TrustRoots, validation_context

# A sign-off or an approval commits a person: the key must be certified for that.
COMMITMENT = frozenset({"non_repudiation"})


@dataclass(frozen=True)
class Trust:
    """The verdict on one certificate at one moment."""

    trusted: bool
    problem: str = ""
    root: str = ""  # the trust root's subject, when trusted


@dataclass
class TrustChecker:
    """Checks certificates against `roots`; reuse one for a whole store."""

    roots: TrustRoots
    key_usage: frozenset[str] = COMMITMENT
    _windows: dict[bytes, tuple[dt.datetime, dt.datetime, str]] = field(default_factory=dict)

    def check(
        self,
        cert: x509.Certificate,
        at: dt.datetime,
        chain: Iterable[x509.Certificate] = (),
        role: str | None = None,
    ) -> Trust:
        """Trusted only if a path to a root is valid at `at`, with key usage (and `role`)."""
        if not self.roots:
            return Trust(False, "no trust roots are configured (give --trust or BWVDISCLOSE_TRUST)")
        if role is not None:
            try:
                identity_of(cert, (role,))
            except Exception as exc:
                return Trust(False, str(exc))
        der = cert.public_bytes(serialization.Encoding.DER)
        window = self._windows.get(der)
        if window is not None and window[0] <= at <= window[1]:
            return Trust(True, root=window[2])
        return self._validate(cert, der, at, tuple(chain))

    def _validate(
        self,
        cert: x509.Certificate,
        der: bytes,
        at: dt.datetime,
        chain: tuple[x509.Certificate, ...],
    ) -> Trust:
        from asn1crypto import x509 as asn1_x509
        from pyhanko_certvalidator import CertificateValidator
        from pyhanko_certvalidator.errors import (
            InvalidCertificateError,
            PathBuildingError,
            PathValidationError,
        )

        context = validation_context(self.roots, at, other_certs=chain)
        validator = CertificateValidator(
            asn1_x509.Certificate.load(der), validation_context=context
        )
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        who = f"the certificate of {names[0].value!s}" if names else "the certificate"
        try:
            usage = validator.async_validate_usage(set(self.key_usage))  # type: ignore[no-untyped-call]
            path = asyncio.run(usage)
        except PathBuildingError:
            return Trust(False, f"{who} does not chain to a trust root")
        except (PathValidationError, InvalidCertificateError) as exc:
            return Trust(False, f"{who}: {_one_line(exc)}")
        except Exception as exc:  # a malformed certificate is untrusted, never a crash
            return Trust(False, f"{who} cannot be checked: {_one_line(exc)}")
        start = max(c.not_valid_before for c in path.iter_certs(include_root=True))
        end = min(c.not_valid_after for c in path.iter_certs(include_root=True))
        root = path.trust_anchor.authority.name.human_friendly
        self._windows[der] = (start, end, root)
        return Trust(True, root=root)


def _one_line(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:300]
