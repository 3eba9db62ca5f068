"""Length limits on every piece of free text a person gives, so cost stays bounded.

A record lays out every field; an unbounded field makes rendering time and memory
unbounded too (a 32,000-character location took 24 s to lay out, three 120,000-character
fields did not finish in 20 minutes). Each limit is far above what the field needs; the
README lists them. Text over a limit is refused with one message naming the field, its
length and the limit, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable

from bwvdisclose.errors import CaseError

LIMITS: dict[str, int] = {
    "incident reference": 100,
    "location": 300,
    "clip reference": 200,
    "notes": 4000,
    "rationale": 4000,
    "reason for a change": 4000,
    "decision rationale": 4000,
    "name": 200,
    "role": 100,
    "number": 50,
    "rank": 100,
}
MAX_CLIPS = 100


class TooLong(CaseError):
    """Free text over its documented limit."""


def check_length(text: str, field: str) -> str:
    """Return `text` if it fits the limit for `field`; else TooLong naming both."""
    limit = LIMITS[field]
    if len(text) > limit:
        raise TooLong(
            f"the {field} is {len(text):,} characters long; the limit is {limit:,} "
            "(see Limits in the README)"
        )
    return text


def check_clips(clips: Iterable[str]) -> list[str]:
    items = list(clips)
    if len(items) > MAX_CLIPS:
        raise TooLong(f"{len(items):,} clip references given; the limit is {MAX_CLIPS}")
    for clip in items:
        check_length(clip, "clip reference")
    return items
