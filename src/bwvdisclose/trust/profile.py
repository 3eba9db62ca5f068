"""The identity profile: where a certificate says who signs and in which role.

A force's CA (or the TEST CA, `trust/ca.py`) writes these subject attributes, all of
them standard X.520 attributes that any CA software and certomancer can write:

  commonName (2.5.4.3)              the person's name, as it appears on the record
  organizationalUnitName (2.5.4.11) the role, exactly one of ROLES (e.g. `legal`)
  serialNumber (2.5.4.5)            the collar or staff number (optional)
  title (2.5.4.12)                  the rank or grade (optional)
  organizationName (2.5.4.10)       the force; the TEST CA writes TEST_ORG

A certificate without exactly one role attribute holding a known role is refused.
Who a person is comes from the certificate as the CA issued it (`person_key`), never
from anything typed at sign-off.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from bwvdisclose.errors import SigningError
from bwvdisclose.limits import LIMITS

SIGNOFF_ROLES = ("decision_maker", "legal", "data_protection")
POLICY_OWNER = "policy_owner"
ROLES = (*SIGNOFF_ROLES, POLICY_OWNER)
ROLE_OID = NameOID.ORGANIZATIONAL_UNIT_NAME
TEST_ORG = "bwvdisclose TEST ONLY - not for operational use"
MAX_NAME = 64  # ub-common-name (RFC 5280)
MAX_NUMBER = 64  # ub-serial-number
MAX_RANK = 64  # ub-title
# X.520 serialNumber is a PrintableString: these characters only.
NUMBER_RE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]{1,64}")


@dataclass(frozen=True)
class CertIdentity:
    """Who a certificate names, read from its subject as the CA issued it."""

    name: str
    role: str
    rank: str
    number: str
    organization: str
    issuer: str
    person: str  # person_key: same value, same person

    @property
    def test_only(self) -> bool:
        return "TEST ONLY" in self.organization

    def describe(self) -> str:
        number = f", {self.number}" if self.number else ""
        return f"{self.name} ({self.role}{number})"


def _values(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in name.get_attributes_for_oid(oid)]


def identity_of(cert: x509.Certificate, roles: tuple[str, ...] = ROLES) -> CertIdentity:
    """The identity in `cert`, refusing a certificate without a name or one known role."""
    names = _values(cert.subject, NameOID.COMMON_NAME)
    if len(names) != 1 or not names[0].strip():
        raise SigningError("the certificate names no person (no single commonName)")
    role_values = _values(cert.subject, ROLE_OID)
    known = [r for r in role_values if r in ROLES]
    if not known:
        raise SigningError(
            f"the certificate for {names[0]} carries no role: its issuer must write one of "
            f"{', '.join(ROLES)} as the subject's organizationalUnitName"
        )
    if len(set(known)) > 1:
        raise SigningError(f"the certificate for {names[0]} carries more than one role")
    role = known[0]
    if role not in roles:
        raise SigningError(f"the certificate for {names[0]} is for the {role} role")
    fields = {
        "name": names[0].strip(),
        "rank": (_values(cert.subject, NameOID.TITLE) or [""])[0].strip(),
        "number": (_values(cert.subject, NameOID.SERIAL_NUMBER) or [""])[0].strip(),
    }
    for field, value in fields.items():  # the limits on what is typed hold for any CA's too
        if len(value) > LIMITS[field]:
            raise SigningError(
                f"the certificate's {field} is {len(value):,} characters long; "
                f"the limit is {LIMITS[field]:,} (see Limits in the README)"
            )
    return CertIdentity(
        name=fields["name"],
        role=role,
        rank=fields["rank"],
        number=fields["number"],
        organization=(_values(cert.subject, NameOID.ORGANIZATION_NAME) or [""])[0],
        issuer=cert.issuer.rfc4514_string(),
        person=person_key(cert),
    )


def person_key(cert: x509.Certificate) -> str:
    """One person, one key: the issuer and the subject without its role attribute.

    Two certificates a CA issued to the same subject for two roles give the same key;
    two different people (with or without a number) give different keys.
    """
    attrs = sorted(f"{a.oid.dotted_string}={a.value!s}" for a in cert.subject if a.oid != ROLE_OID)
    text = cert.issuer.rfc4514_string() + "\n" + "\n".join(attrs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spki_hash(cert: x509.Certificate) -> str:
    der = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def same_person(a: x509.Certificate, b: x509.Certificate) -> bool:
    """Same key, same subject as issued, or the same number from the same issuer."""
    if spki_hash(a) == spki_hash(b) or person_key(a) == person_key(b):
        return True
    na, nb = _values(a.subject, NameOID.SERIAL_NUMBER), _values(b.subject, NameOID.SERIAL_NUMBER)
    return bool(na and nb and na[0].strip() and na == nb and a.issuer == b.issuer)


def check_number(number: str) -> str:
    """A collar or staff number fit for a certificate, or a clear error."""
    number = number.strip()
    if not NUMBER_RE.fullmatch(number):
        raise SigningError(
            f"the number {number[:70]!r} cannot go in a certificate: use 1 to {MAX_NUMBER} "
            "letters, digits, spaces and ' ( ) + , - . / : = ? (no '_' or other symbols)"
        )
    return number


def check_text(what: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise SigningError(f"a {what} must not be empty")
    if len(value) > limit:
        raise SigningError(f"a {what} may be at most {limit} characters ({len(value)} given)")
    return value
