"""UK local time: what a person reads (GMT or BST, marked), and what a person may type.

Logs and JSON keep UTC with its offset; every time shown to a person is Europe/London
wall-clock time marked GMT or BST, so a duty officer's 18:40 BST reads as 18:40 BST.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_TIME = r"(?:,? |T)(?P<H>\d{1,2})[:.](?P<M>\d\d)(?::(?P<S>\d\d))?"
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d\d)" + _TIME)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WORDY = re.compile(r"(?P<d>\d{1,2}) (?P<mon>[A-Za-z]{3,9}),? (?P<y>\d{4})" + _TIME)
FORMS = "03/07/2026 18:40, 3 July 2026 18:40 or 2026-07-03T18:40"


def uk_time(value: dt.datetime, seconds: bool = False) -> str:
    """`2020-07-04 18:40 BST`: Europe/London wall-clock time, marked GMT or BST."""
    local = value.astimezone(LONDON)
    return local.strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} ") + (local.tzname() or "")


def parse_uk_time(text: str) -> dt.datetime:
    """A date and time as typed: ISO 8601, or day first as a UK officer writes it.

    `03/07/2026 18:40` and `3.7.26 18.40` are 3 July; `3 July 2026 18:40` too. A day-first
    date needs its time of day. Without an offset it is UK local time. Raises ValueError
    with a message a person can act on (the one reader: `new`, the intake, `disclosed`).

    A wall-clock time the clocks skip (the hour lost in March) is refused; one they pass
    twice (the hour repeated in October) is read as the first, BST.
    """
    raw = " ".join(text.strip().split())
    value = _iso(raw) or _day_first(raw)
    if value is None:
        raise ValueError(f"{text!r} is not a date and time like {FORMS} (day first, UK time)")
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
        back = value.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None)
        if back != value.replace(tzinfo=None):
            raise ValueError(f"{text!r} does not exist in UK time (the clocks went forward)")
    try:
        value.astimezone(dt.UTC)  # stored in UTC: the year must stay in range there too
    except OverflowError:
        raise ValueError(
            f"{text!r} is not a date and time in range (years 1 to 9999 in UTC)"
        ) from None
    return value


def _iso(raw: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _day_first(raw: str) -> dt.datetime | None:
    found = _DAY_FIRST.fullmatch(raw)
    month: int | None = None
    if found is None:
        found = _WORDY.fullmatch(raw)
        if found is None:
            return None
        name = found["mon"].lower()
        month = next((n for n, m in enumerate(_MONTHS, 1) if name.startswith(m)), None)
        if month is None or not (name in _MONTHS or name == _full(month)):
            return None
    try:
        year = int(found["y"])
        return dt.datetime(
            year + 2000 if len(found["y"]) == 2 else year,
            month or int(found["m"]),
            int(found["d"]),
            int(found["H"]),
            int(found["M"]),
            int(found["S"] or 0),
        )
    except ValueError:
        return None


def _full(month: int) -> str:
    return dt.date(2000, month, 1).strftime("%B").lower()
