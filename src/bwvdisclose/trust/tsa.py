"""Timestamping settings: where the time-stamping authority is, the roots every chain must
reach (for the revocation data embedded), and how long to wait for a service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography import x509

from bwvdisclose.errors import InputError

DEFAULT_TIMEOUT = 10.0
MAX_URL = 2000


@dataclass(frozen=True)
class LtvSettings:
    """A TSA URL, the trust roots every chain must reach, and a per-request timeout."""

    tsa_url: str
    trust_roots: tuple[x509.Certificate, ...]
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def of(
        cls, tsa_url: str, trust_roots: Sequence[x509.Certificate], timeout: float = DEFAULT_TIMEOUT
    ) -> LtvSettings:
        check_tsa_url(tsa_url)
        if not trust_roots:
            raise InputError(
                "a timestamped signature needs trust roots (--trust PEM or BWVDISCLOSE_TRUST): "
                "the revocation data of every certificate up to a root is embedded"
            )
        return cls(tsa_url=tsa_url, trust_roots=tuple(trust_roots), timeout=timeout)


def check_tsa_url(url: str) -> None:
    """An http or https URL with a host; anything else is refused before any request."""
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        shown = url if len(url) <= 80 else url[:77] + "..."
        raise InputError(f"the time-stamping authority must be an http(s) URL, not {shown!r}")
