"""One exception root for the tool. Exit codes live with the errors.

Exit codes (documented in README):
  0  success
  1  domain error: bad answers, bad policy, bad or tampered case, failed verification
  2  usage error: bad command line (click's own code)
  3  not trusted: every signature is intact, but a signer's certificate (or a policy
     approval) does not chain to a configured trust root, or no roots are configured
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DOMAIN = 1
EXIT_USAGE = 2
EXIT_UNTRUSTED = 3


class BwvError(Exception):
    """Base of every error the tool reports to a person. The message is the whole story."""

    exit_code = EXIT_DOMAIN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(BwvError):
    """A file a person gave us is unreadable, malformed or not what we expect."""


class PolicyError(InputError):
    """A policy folder is missing, malformed or inconsistent."""


class AnswersError(InputError):
    """An answers file or answer value does not fit the policy."""


class CaseError(BwvError):
    """A case cannot be found, read or changed as asked."""


class IntegrityError(CaseError):
    """A stored case or record fails its integrity checks."""


class LockError(CaseError):
    """Another process holds the case lock."""


class SigningError(BwvError):
    """Keys, certificates or signatures are missing, wrong or invalid."""


class TrustError(SigningError):
    """A signature is intact but its signer is not trusted (or no trust roots are given)."""

    exit_code = EXIT_UNTRUSTED


class RecordError(BwvError):
    """A decision record cannot be rendered, signed or verified."""


class ServiceError(SigningError):
    """A time-stamping authority or revocation service did not answer, or answered no."""


class StoreError(CaseError):
    """The case store cannot be reached or used: server down, not set up, wrong schema."""
