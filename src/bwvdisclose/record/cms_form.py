"""The exact form of the CMS signature our seal writes, checked byte for byte.

A PAdES signature covers the document but not every byte of its own CMS
container: versions, the digestAlgorithms set, the issuer name in the signer
identifier (matched case-insensitively by validators), algorithm parameters,
lengths and zero padding are not signed. pyHanko tolerates variations there, so
a changed byte in them would leave the signature "valid". This module rebuilds
the container's skeleton in canonical DER from what it parses and insists the
stored bytes are exactly that, with every unsigned value pinned.

Expected shape (RFC 5652), as written by pyHanko for one signer:
  ContentInfo { signedData, [0] SignedData { 1, {alg}, {data}, [0] certs,
    { SignerInfo { 1, {issuer, serial}, alg, [0] signedAttrs, sigAlg, sig,
      optional [1] { signatureTimeStampToken { token } } } } } }
and for a timestamp token (RFC 3161), as a signature timestamp or a document timestamp:
  ContentInfo { signedData, [0] SignedData { 3, {alg}, {tstInfo, [0] OCTET STRING},
    optional [0] certs, { SignerInfo { 1, {issuer, serial}, alg, [0] signedAttrs,
    sigAlg, sig } } } }
"""

from __future__ import annotations

from asn1crypto import parser
from asn1crypto import x509 as asn1_x509

UNIVERSAL, CONTEXT = 0, 2
PRIMITIVE, CONSTRUCTED = 0, 1
INTEGER, OCTET_STRING, NULL, OID, SEQUENCE, SET = 2, 4, 5, 6, 16, 17
OID_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")
OID_DATA = bytes.fromhex("2a864886f70d010701")
OID_TST_INFO = bytes.fromhex("2a864886f70d0109100104")
OID_SIGNATURE_TIMESTAMP = bytes.fromhex("2a864886f70d010910020e")
VERSION_1 = b"\x01"
VERSION_3 = b"\x03"


class FormError(ValueError):
    """The CMS container is not in the exact form our seal writes."""


def check_cms_form(contents: bytes, *, timestamp: bool = False) -> None:
    """Raise FormError unless contents is our canonical CMS followed only by zero padding.

    With `timestamp`, contents is a document timestamp: an RFC 3161 token in the exact
    form `_check_token` pins.
    """
    body, rest = _tlv(contents, UNIVERSAL, CONSTRUCTED, SEQUENCE)
    if any(rest):
        raise FormError("the padding after the signature value is not zero")
    if timestamp:
        _check_token(body)
        return
    signed_data = _signed_data(body)
    fields = _children(_body(signed_data, UNIVERSAL, CONSTRUCTED, SEQUENCE), 5)
    version, digest_algs, encap, certs, signer_infos = fields
    _expect_value(version, UNIVERSAL, INTEGER, VERSION_1)
    (digest_alg,) = _children(_body(digest_algs, UNIVERSAL, CONSTRUCTED, SET), 1)
    _algorithm(digest_alg)
    (encap_type,) = _children(_body(encap, UNIVERSAL, CONSTRUCTED, SEQUENCE), 1)
    _expect_value(encap_type, UNIVERSAL, OID, OID_DATA)
    cert_list = _certificates(certs)
    unsigned = _signer_info(signer_infos, digest_alg, cert_list, with_unsigned=True)
    if unsigned is not None:
        _signature_timestamp(unsigned)


def _signed_data(content_info_body: bytes) -> bytes:
    content_type, wrapped = _children(content_info_body, 2)
    _expect_value(content_type, UNIVERSAL, OID, OID_SIGNED_DATA)
    (signed_data,) = _children(_body(wrapped, CONTEXT, CONSTRUCTED, 0), 1)
    return signed_data


def _certificates(certs: bytes) -> list[bytes]:
    cert_list = _children(_body(certs, CONTEXT, CONSTRUCTED, 0), None)
    for cert in cert_list:
        _body(cert, UNIVERSAL, CONSTRUCTED, SEQUENCE)
    return cert_list


def _signer_info(
    signer_infos: bytes, digest_alg: bytes, cert_list: list[bytes], *, with_unsigned: bool
) -> bytes | None:
    """The one SignerInfo (version 1, issuer and serial); its unsigned attributes if any."""
    (signer_info,) = _children(_body(signer_infos, UNIVERSAL, CONSTRUCTED, SET), 1)
    si_fields = _children(_body(signer_info, UNIVERSAL, CONSTRUCTED, SEQUENCE), None)
    if len(si_fields) != 6 and not (with_unsigned and len(si_fields) == 7):
        raise FormError(f"unexpected SignerInfo with {len(si_fields)} fields")
    si_version, sid, si_digest_alg, signed_attrs, sig_alg, signature = si_fields[:6]
    _expect_value(si_version, UNIVERSAL, INTEGER, VERSION_1)
    if si_digest_alg != digest_alg:
        raise FormError("the digest algorithm is stated two different ways")
    _issuer_and_serial(sid, cert_list)
    _body(signed_attrs, CONTEXT, CONSTRUCTED, 0)
    _algorithm(sig_alg)
    _body(signature, UNIVERSAL, PRIMITIVE, OCTET_STRING)
    return _body(si_fields[6], CONTEXT, CONSTRUCTED, 1) if len(si_fields) == 7 else None


def _signature_timestamp(unsigned: bytes) -> None:
    """Exactly one unsigned attribute: the RFC 3161 token over the signature value."""
    (attribute,) = _children(unsigned, 1)
    attr_type, values = _children(_body(attribute, UNIVERSAL, CONSTRUCTED, SEQUENCE), 2)
    _expect_value(attr_type, UNIVERSAL, OID, OID_SIGNATURE_TIMESTAMP)
    (token,) = _children(_body(values, UNIVERSAL, CONSTRUCTED, SET), 1)
    _check_token(_body(token, UNIVERSAL, CONSTRUCTED, SEQUENCE))


def _check_token(content_info_body: bytes) -> None:
    """An RFC 3161 TimeStampToken: SignedData v3 over a TSTInfo, one signer, no CRLs.

    The TSA signs the TSTInfo; what it does not sign (versions, algorithm sets, the
    signer identifier, parameters, the certificate list's framing) is pinned here.
    """
    signed_data = _signed_data(content_info_body)
    fields = _children(_body(signed_data, UNIVERSAL, CONSTRUCTED, SEQUENCE), None)
    if len(fields) not in (4, 5):
        raise FormError("a timestamp token has an unexpected shape")
    version, digest_algs, encap = fields[:3]
    _expect_value(version, UNIVERSAL, INTEGER, VERSION_3)
    (digest_alg,) = _children(_body(digest_algs, UNIVERSAL, CONSTRUCTED, SET), 1)
    _algorithm(digest_alg)
    encap_type, econtent = _children(_body(encap, UNIVERSAL, CONSTRUCTED, SEQUENCE), 2)
    _expect_value(encap_type, UNIVERSAL, OID, OID_TST_INFO)
    (octets,) = _children(_body(econtent, CONTEXT, CONSTRUCTED, 0), 1)
    _body(octets, UNIVERSAL, PRIMITIVE, OCTET_STRING)
    cert_list = _certificates(fields[3]) if len(fields) == 5 else []
    _signer_info(fields[-1], digest_alg, cert_list, with_unsigned=False)


def _tlv(data: bytes, cls: int, method: int, tag: int) -> tuple[bytes, bytes]:
    """The first TLV of data, which must have this class, form and tag and a minimal header."""
    got_cls, got_method, got_tag, header, body, trailer = parser.parse(data, strict=False)
    if (got_cls, got_method, got_tag) != (cls, method, tag):
        raise FormError(f"unexpected ASN.1 element {got_cls}/{got_method}/{got_tag}")
    if trailer or parser.emit(cls, method, tag, body) != header + body:
        raise FormError("an ASN.1 length is not in canonical DER form")
    return body, data[len(header) + len(body) :]


def _body(element: bytes, cls: int, method: int, tag: int) -> bytes:
    body, rest = _tlv(element, cls, method, tag)
    if rest:
        raise FormError("trailing bytes inside an ASN.1 element")
    return body


def _children(body: bytes, count: int | None) -> list[bytes]:
    """Split a constructed body into whole child elements; exactly count of them if given."""
    children = []
    while body:
        cls, _, tag, header, inner, trailer = parser.parse(body, strict=False)
        if (cls, tag) == (UNIVERSAL, 0) or trailer:
            raise FormError("an end-of-contents marker or indefinite length in DER")
        size = len(header) + len(inner)
        children.append(body[:size])
        body = body[size:]
    if count is not None and len(children) != count:
        raise FormError(f"expected {count} ASN.1 elements, found {len(children)}")
    return children


def _expect_value(element: bytes, cls: int, tag: int, value: bytes) -> None:
    if _body(element, cls, PRIMITIVE, tag) != value:
        raise FormError("an unsigned CMS field does not hold the value our seal writes")


def _algorithm(element: bytes) -> None:
    """AlgorithmIdentifier: an OID, then NULL parameters or none."""
    parts = _children(_body(element, UNIVERSAL, CONSTRUCTED, SEQUENCE), None)
    if not 1 <= len(parts) <= 2:
        raise FormError("an algorithm identifier has an unexpected shape")
    _body(parts[0], UNIVERSAL, PRIMITIVE, OID)
    if len(parts) == 2:
        _expect_value(parts[1], UNIVERSAL, NULL, b"")


def _issuer_and_serial(sid: bytes, certs: list[bytes]) -> None:
    """The signer identifier must repeat an embedded certificate's issuer and serial exactly."""
    issuer, serial = _children(_body(sid, UNIVERSAL, CONSTRUCTED, SEQUENCE), 2)
    serial_body = _body(serial, UNIVERSAL, PRIMITIVE, INTEGER)

    def names(der: bytes) -> bool:
        tbs = asn1_x509.Certificate.load(der)["tbs_certificate"]
        return bool(tbs["issuer"].dump() == issuer and tbs["serial_number"].contents == serial_body)

    if not any(names(c) for c in certs):
        raise FormError("the signer identifier does not name an embedded certificate exactly")
