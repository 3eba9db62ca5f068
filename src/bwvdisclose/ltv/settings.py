"""Where the time-stamping authority is, which roots to trust, how long to wait."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
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


def load_roots(paths: Sequence[Path]) -> list[x509.Certificate]:
    """Every certificate in the PEM files named, or in the *.pem files of folders named."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.pem")) if path.is_dir() else [path])
    roots: list[x509.Certificate] = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read trust root {file}: {exc.strerror}") from None
        try:
            roots.extend(x509.load_pem_x509_certificates(data))
        except ValueError:
            raise InputError(f"{file}: not a PEM certificate") from None
    return roots
