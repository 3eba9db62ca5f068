"""Long-term validation: RFC 3161 timestamps, revocation data and archive timestamps.

A record sealed with a time-stamping authority (`--tsa URL` or BWVDISCLOSE_TSA) is
PAdES B-LTA: the seal carries a signature timestamp, the revocation data of every
certificate in its chains sits in the document security store (DSS), and a document
timestamp covers it all. `extend` adds a fresh archive timestamp; `validate` checks a
record offline, at the time its timestamps prove, with the revocation data it embeds.
"""

from __future__ import annotations

from bwvdisclose.ltv.settings import LtvSettings, load_roots

__all__ = ["LtvSettings", "load_roots"]
