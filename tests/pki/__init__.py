"""A TEST PKI with a time-stamping authority, an OCSP responder and CRLs (certomancer)."""

from tests.pki.services import PASSPHRASE, SIGNERS, TestPki

__all__ = ["PASSPHRASE", "SIGNERS", "TestPki"]
