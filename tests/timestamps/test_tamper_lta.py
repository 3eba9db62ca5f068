"""Any single changed byte of a B-LTA record fails its check, as for a plain record.

Flips spread over the whole file and at random, and flips aimed at what no digest of
its own covers: the last document timestamp's token and zero padding (its /Contents),
and the DSS revision it seals. A check takes about a tenth of a second, so CI runs a
sample (about 90 flips); LTA_TAMPER_FULL=1 runs all 520 spread and random flips.
"""

from __future__ import annotations

import os
import re

from bwvdisclose.record.check import check_record
from tests.conftest import DEMO_CA, roots
from tests.hardening.test_tamper import flipped, positions
from tests.pki import TestPki

from .conftest import Sealed


def _targets(data: bytes) -> list[tuple[int, int]]:
    """Positions in the last /Contents hex string (token and padding) and the last revision."""
    holes = list(re.finditer(rb"/Contents <([0-9A-Fa-f]+)>", data))
    start, end = holes[-1].start(1), holes[-1].end(1)
    token_end = start + len(data[start:end].rstrip(b"0"))
    spots = [start + i * (token_end - start) // 16 for i in range(16)]
    spots += [token_end + 2, (token_end + end) // 2, end - 1]
    dss = data.rfind(b"/DSS")
    spots += [dss + 1, dss + 10, len(data) - 10, len(data) - 30]
    return [(p, mask) for p in spots for mask in (0x01, 0x20)]


def test_every_flipped_byte_of_an_lta_record_fails(sealed: Sealed, pki: TestPki) -> None:
    data = sealed.pdf.read_bytes()
    roots_ = roots(pki.root_pem, DEMO_CA)
    assert check_record(data, roots_).ok
    spread = positions(len(data), seed=3)
    spots = (spread if os.environ.get("LTA_TAMPER_FULL") else spread[::11]) + _targets(data)
    missed = [(p, m) for p, m in spots if check_record(flipped(data, p, m), roots_).ok]
    assert not missed, missed
