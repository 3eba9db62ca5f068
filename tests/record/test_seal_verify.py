"""seal_pdf and verify_pdf: PAdES that poppler accepts, and any changed byte is caught."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from bwvdisclose.errors import RecordError, SigningError
from bwvdisclose.record.seal import seal_pdf
from bwvdisclose.record.verify import PdfCheck, verify_pdf
from bwvdisclose.trust.ca import make_test_ca
from bwvdisclose.trust.keys import cert_fingerprint, load_cert_pem
from bwvdisclose.trust.roots import TrustRoots
from tests.conftest import CA_START, KeyFiles, TestAuthority, roots


@pytest.fixture(scope="module")
def trust(test_ca: TestAuthority) -> TrustRoots:
    return roots(test_ca.pem)


def test_pdfsig_reports_the_signature_valid(sealed_file: Path) -> None:
    out = subprocess.run(["pdfsig", str(sealed_file)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout + out.stderr
    assert "Total document signed" in out.stdout
    assert "Signer Certificate Common Name: Jane Smith" in out.stdout
    assert "Signature Type: ETSI.CAdES.detached" in out.stdout


def test_sealed_record_verifies(sealed: bytes, key_files: KeyFiles, trust: TrustRoots) -> None:
    check = verify_pdf(sealed, trust)
    assert check.ok, check.problems
    assert check == PdfCheck(
        signed=True, intact=True, whole_file=True, trusted=True,
        signer=check.signer, fingerprint=cert_fingerprint(load_cert_pem(key_files.pem)),
        problems=(),
    )  # fmt: skip
    assert "Common Name: Jane Smith" in check.signer and "TEST ONLY" in check.signer


def test_untrusted_signer_is_reported(sealed: bytes, tmp_path: Path) -> None:
    other = make_test_ca(tmp_path / "other", b"pw", name="Another CA", not_before=CA_START)
    for trust in (TrustRoots(), roots(other)):
        check = verify_pdf(sealed, trust)
        assert check.intact and check.whole_file and not check.trusted and not check.ok
        assert check.problems == ()
        assert "trust root" in check.trust_problem


def _spread(start: int, end: int, count: int) -> list[int]:
    return sorted({start + i * (end - 1 - start) // (count - 1) for i in range(count)})


def _embedded_stream_spans(pdf: bytes) -> list[tuple[int, int]]:
    reader = PdfFileReader(BytesIO(pdf), strict=True)
    spans = []
    for ref in reader.root["/AF"]:
        idnum = ref.get_object()["/EF"].raw_get("/F").idnum
        header = re.search(rb"(?<![0-9])%d 0 obj\b.*?stream\r?\n" % idnum, pdf, re.S)
        assert header, idnum
        length = int(re.search(rb"/Length (\d+)", header[0])[1])  # type: ignore[index]
        spans.append((header.end(), header.end() + length))
    return spans


def test_any_changed_byte_fails(sealed: bytes, trust: TrustRoots) -> None:
    positions = _spread(0, len(sealed), 60)
    for start, end in _embedded_stream_spans(sealed):
        positions += _spread(start, end, 4)
    hole = re.search(rb"/Contents <([0-9A-F]+)>", sealed)
    assert hole
    positions += [hole.start(1) + 5, hole.end(1) - 5]  # inside the CMS blob, then its padding
    for pos in positions:
        for mask in (0x01, 0x20):  # a bit flip, and a hex-digit case change
            damaged = bytearray(sealed)
            damaged[pos] ^= mask
            check = verify_pdf(bytes(damaged), trust)
            assert not check.ok, (pos, mask, sealed[pos - 20 : pos + 20])
            assert len(check.problems) >= 1 and all("\n" not in p for p in check.problems)


def _edit_cms(sealed: bytes, find: bytes, nth: int, delta: int, xor: int) -> bytes:
    """Change one byte of the CMS blob (the nth occurrence of find, plus delta) in place."""
    hole = re.search(rb"/Contents <([0-9A-F]+)>", sealed)
    assert hole
    blob = bytearray(bytes.fromhex(hole[1].decode()))
    at = -1
    for _ in range(nth):
        at = blob.index(find, at + 1)
    blob[at + delta] ^= xor
    damaged = sealed[: hole.start(1)] + blob.hex().upper().encode() + sealed[hole.end(1) :]
    assert sum(a != b for a, b in zip(sealed, damaged, strict=True)) == 1
    return damaged


@pytest.mark.parametrize(
    ("find", "nth", "delta", "xor"),
    [
        (b"\x02\x01\x01\x31", 1, 2, 0x02),  # SignedData version 1 -> 3
        (bytes.fromhex("608648016503040201"), 1, 8, 0x02),  # digestAlgorithms: sha256 -> sha512
        (b"\x05\x00", 1, 0, 0x01),  # NULL parameters -> an empty OCTET STRING
        # the CA's name: in the signer's certificate, twice in the CA's, then the signer
        # identifier (then, signed, in the signing-certificate attribute): case only
        (b"bwvdisclose tests", 4, 0, 0x20),
        (b"\x30\x82", 1, 2, 0x01),  # outer length: swallows 256 bytes of padding
    ],
    ids=["version", "digest-algorithms", "null-params", "sid-issuer-case", "outer-length"],
)
def test_unsigned_cms_fields_are_pinned(
    sealed: bytes, trust: TrustRoots, find: bytes, nth: int, delta: int, xor: int
) -> None:
    check = verify_pdf(_edit_cms(sealed, find, nth, delta, xor), trust)
    assert not check.ok
    assert any("altered" in p for p in check.problems), check.problems


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda pdf: pdf[: len(pdf) // 2], "does not parse as a PDF"),
        (lambda pdf: b"", "does not parse as a PDF"),
        (lambda pdf: b"not a pdf at all\n" * 20, "does not parse as a PDF"),
        (lambda pdf: pdf + b"\n% appended\n", "does not cover the whole file"),
    ],
)
def test_damaged_files_fail_with_a_reason(
    sealed: bytes, trust: TrustRoots, change: object, reason: str
) -> None:
    check = verify_pdf(change(sealed), trust)  # type: ignore[operator]
    assert not check.ok
    assert any(reason in p for p in check.problems), check.problems


def test_unsigned_pdf_fails(rendered: bytes, trust: TrustRoots) -> None:
    check = verify_pdf(rendered, trust)
    assert not check.signed and check.problems == ("the record carries no signature",)


def test_seal_refuses_a_second_signature(sealed: bytes, key_files: KeyFiles) -> None:
    with pytest.raises(RecordError, match="already sealed"):
        seal_pdf(sealed, key_files.p12, key_files.passphrase, "r", "l", "n")


def test_seal_with_wrong_passphrase(rendered: bytes, key_files: KeyFiles) -> None:
    with pytest.raises(SigningError, match="wrong passphrase") as info:
        seal_pdf(rendered, key_files.p12, b"not-the-passphrase", "r", "l", "n")
    assert "not-the-passphrase" not in str(info.value)


def test_seal_refuses_a_non_pdf(key_files: KeyFiles) -> None:
    with pytest.raises(RecordError, match="cannot seal"):
        seal_pdf(b"%PDF-1.7\nrubbish", key_files.p12, key_files.passphrase, "r", "l", "n")
