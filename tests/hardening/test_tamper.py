"""Tampering: any single changed byte of a case log or of a signed record is caught.

The case log of the session's signed case gets 520 single-byte flips (260 positions
spread evenly over the file, 260 at random, seeded), each checked with
`bwvdisclose verify CASE`; the signed record gets 520 the same way, each checked with
`record.check.check_record`. Records re-sealed by someone holding the decision maker's
key, but carrying garbage instead of the case log or the policy files, fail their
check instead of crashing it.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from bwvdisclose.record.build import EVENTS_FILE, HEAD_KEYWORD, POLICY_FILE
from bwvdisclose.record.check import check_record
from bwvdisclose.record.html import templates_dir
from bwvdisclose.record.pdf import Attachment, render_pdf
from bwvdisclose.record.seal import seal_with
from bwvdisclose.trust.keys import Identity, load_identity
from bwvdisclose.trust.roots import TrustRoots
from tests.conftest import DEMO_CA, TestAuthority, roots
from tests.flow.conftest import PASS, Keys, Signed

from .conftest import assert_refused, run

FLIPS = 260  # evenly spread, and as many again at random


def positions(size: int, seed: int) -> list[tuple[int, int]]:
    """(position, xor mask): FLIPS spread evenly over the bytes, FLIPS more at random."""
    rng = random.Random(seed)
    even = [round(i * (size - 1) / (FLIPS - 1)) for i in range(FLIPS)]
    spots = even + [rng.randrange(size) for _ in range(FLIPS)]
    return [(p, rng.randrange(1, 256)) for p in spots]


def flipped(data: bytes, position: int, mask: int) -> bytes:
    out = bytearray(data)
    out[position] ^= mask
    return bytes(out)


def test_every_flipped_byte_of_a_case_log_fails_verify(signed: Signed, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(signed.store / signed.case_id, store / signed.case_id, symlinks=True)
    log = store / signed.case_id / "events.jsonl"
    original = log.read_bytes()
    assert run("verify", signed.case_id, "--store", str(store)).exit_code == 0
    missed = []
    for position, mask in positions(len(original), seed=1):
        log.write_bytes(flipped(original, position, mask))
        result = run("verify", signed.case_id, "--store", str(store))
        if result.exit_code != 1 or f"{signed.case_id}: FAILED" not in result.stderr:
            missed.append((position, mask, result.exit_code, result.stderr))
    log.write_bytes(original)
    assert not missed, missed[:5]
    assert run("verify", signed.case_id, "--store", str(store)).exit_code == 0


@pytest.fixture(scope="module")
def trust(test_ca: TestAuthority) -> TrustRoots:
    return roots(test_ca.pem, DEMO_CA)


def test_every_flipped_byte_of_a_signed_record_fails_its_check(
    signed: Signed, trust: TrustRoots
) -> None:
    data = signed.pdf.read_bytes()
    assert check_record(data, trust).ok
    missed = [
        (position, mask)
        for position, mask in positions(len(data), seed=2)
        if check_record(flipped(data, position, mask), trust).ok
    ]
    assert not missed, missed


# --- re-sealed records with garbage inside ------------------------------------------------


@pytest.fixture(scope="module")
def maker(keys: Keys) -> Identity:
    return load_identity(Path(keys.p12("amy-ward")), PASS.encode())


def _forge(maker: Identity, files: dict[str, bytes], keywords: str) -> bytes:
    html = (
        f'<!doctype html><html lang="en-GB"><head><meta name="keywords" content="{keywords}">'
        "<title>forged</title></head><body><p>Not a record.</p></body></html>"
    )
    attachments = [
        Attachment(name, data, "application/octet-stream") for name, data in files.items()
    ]
    pdf = render_pdf(html, templates_dir(), attachments, "forged")
    return seal_with(pdf, maker, reason="forged", location="here", name="Amy Ward")


HEAD = "ab" * 32
LOG_LINE = json.dumps({"case_id": "BWV-2026-0001", "seq": 1}).encode() + b"\n"
FORGERIES = {
    "log not JSON": ({EVENTS_FILE: b"\xff\xfe not json\n", POLICY_FILE: b"{}"}, HEAD),
    "log a JSON list": ({EVENTS_FILE: b"[1, 2]\n", POLICY_FILE: b"{}"}, HEAD),
    "log of events that do not check": ({EVENTS_FILE: LOG_LINE, POLICY_FILE: b"{}"}, HEAD),
    "no log": ({POLICY_FILE: b"{}"}, HEAD),
    "no attachments": ({}, HEAD),
    "no head named": ({EVENTS_FILE: LOG_LINE}, "nothing here"),
    "two heads named": ({EVENTS_FILE: LOG_LINE}, f"{HEAD_KEYWORD}{HEAD} {HEAD_KEYWORD}{HEAD}"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_resealed_record_with_garbage_inside_fails(
    maker: Identity, tmp_path: Path, forgery: str, trust: TrustRoots
) -> None:
    files, head = FORGERIES[forgery]
    keywords = head if HEAD_KEYWORD in head or head == "nothing here" else HEAD_KEYWORD + head
    pdf = _forge(maker, files, keywords)
    result = check_record(pdf, trust)
    assert not result.ok
    path = tmp_path / "forged.pdf"
    path.write_bytes(pdf)
    assert_refused(run("verify", str(path), "--trust", "/dev/null"), 1, "not a PEM certificate")
    assert_refused(run("verify", str(path)), 1, "the record FAILED verification")


def test_a_resealed_record_of_the_real_log_with_garbage_policy_files_fails(
    signed: Signed, maker: Identity, trust: TrustRoots
) -> None:
    """The real log and head, so every check up to the policy files passes; then garbage."""
    from bwvdisclose.record.verify import extract_attachments

    real = extract_attachments(signed.pdf.read_bytes())
    log = real[EVENTS_FILE]
    head = json.loads(log.splitlines()[-1])["hash"]
    for garbage in (b"not json", b"[]", b'{"files": 3}', b'{"files": {"a": 1}}'):
        pdf = _forge(maker, {EVENTS_FILE: log, POLICY_FILE: garbage}, HEAD_KEYWORD + head)
        result = check_record(pdf, trust)
        failed = [text for ok, text in result.lines if not ok]
        assert f"the embedded policy files ({POLICY_FILE}) cannot be read" in failed, failed


def test_a_changed_issuer_name_in_the_carried_root_fails(signed: Signed, trust: TrustRoots) -> None:
    """The carried CA certificate with a byte of its issuer name changed names no issuer to
    check it under; it still holds the root's key, so it is a changed copy (was missed)."""
    from asn1crypto import cms

    from bwvdisclose.record.verify import verify_pdf

    sealed = signed.pdf.read_bytes()

    hole = re.search(rb"/Contents <([0-9A-Fa-f]+)>", sealed)
    assert hole
    blob = cms.ContentInfo.load(bytes.fromhex(hole[1].decode()), strict=False)
    carried = [c.chosen for c in blob["content"]["certificates"]]
    roots_carried = [c for c in carried if c.self_issued]
    assert roots_carried  # the seal carries its chain, root included
    root = roots_carried[0]
    at = sealed.index(root.dump().hex().upper().encode(), hole.start(1))
    issuer = root["tbs_certificate"]["issuer"].dump().hex().upper().encode()
    at = sealed.index(issuer, at) + len(issuer) - 2  # inside the last name's value
    changed = 0
    for digit in b"0123456789ABCDEF":
        if digit == sealed[at]:
            continue
        damaged = bytearray(sealed)
        damaged[at] = digit
        check = verify_pdf(bytes(damaged), trust)
        assert not check.ok, (chr(digit), check)
        changed += 1
    assert changed == 15
