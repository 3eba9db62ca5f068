"""One reader of the dates and times people type: `new --occurred`, the intake, `disclosed --at`."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bwvdisclose.localtime import LONDON, parse_uk_time
from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/07/2026 18:40", dt.datetime(2026, 7, 3, 18, 40, tzinfo=LONDON)),
        ("3.7.26, 18.40", dt.datetime(2026, 7, 3, 18, 40, tzinfo=LONDON)),
        ("03-07-2026T18:40:05", dt.datetime(2026, 7, 3, 18, 40, 5, tzinfo=LONDON)),
        ("3 July 2026 18:40", dt.datetime(2026, 7, 3, 18, 40, tzinfo=LONDON)),
        ("3 Jul 2026  18:40", dt.datetime(2026, 7, 3, 18, 40, tzinfo=LONDON)),
        ("2026-07-03T18:40", dt.datetime(2026, 7, 3, 18, 40, tzinfo=LONDON)),
        ("2026-07-03T17:40Z", dt.datetime(2026, 7, 3, 17, 40, tzinfo=dt.UTC)),
        ("25/10/2026 01:30", dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),  # first: BST
    ],
)
def test_uk_forms_read_as_uk_time(text: str, expected: dt.datetime) -> None:
    # compared in UTC: an aware time in the repeated October hour never equals another zone's
    assert parse_uk_time(text).astimezone(dt.UTC) == expected.astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("29/03/2026 01:30", "does not exist in UK time (the clocks went forward)"),
        ("03/07/2026", "is not a date and time like"),  # a day without the time it happened
        ("31/02/2026 10:00", "is not a date and time like"),
        ("3 Julyish 2026 18:40", "is not a date and time like"),
        ("yesterday", "is not a date and time like"),
    ],
)
def test_what_is_not_a_uk_time_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_uk_time(text)


def test_new_refuses_a_time_the_clocks_skip(invoke: Invoke, tmp_path: object) -> None:
    """Found: `new --occurred` took 01:30 on the night the clocks go forward (no such time)."""
    result = invoke(
        "new", "--incident-ref", "CAD 1", "--occurred", "29/03/2026 01:30", "--location", "X",
        "--user", "Amy Ward", "--number", "4711", "--store", f"{tmp_path}/s",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "does not exist in UK time" in result.output
