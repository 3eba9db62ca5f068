"""Moved to `bwvdisclose.trust` (keys.py, statement.py, profile.py); kept for older imports."""

from bwvdisclose.trust.keys import (
    Identity,
    cert_fingerprint,
    cert_pem,
    check_in_date,
    load_cert_pem,
    load_identity,
    passphrase_from,
)

__all__ = [
    "Identity",
    "cert_fingerprint",
    "cert_pem",
    "check_in_date",
    "load_cert_pem",
    "load_identity",
    "passphrase_from",
]
