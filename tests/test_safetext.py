"""The rule for characters that hide or reorder text: complete, refused on input, shown on output.

Found: U+200E/U+200F (LRM/RLM), U+061C (ALM) and U+2028/U+2029 (line and paragraph
separators) were accepted in rationales and printed raw by `show` (text and JSON),
while U+202A-202E and U+2066-2069 were refused: the rule was a list of known tricks.
Now it is the Unicode categories Cc, Cf, Zl, Zp and Cs (safetext.py), but tab, line feed,
ZWNJ and ZWJ.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from bwvdisclose.case import Actor, AnswerRecorded, CaseOpened
from bwvdisclose.case.events import build_event, event_line
from bwvdisclose.case.verify import Head
from bwvdisclose.cli.main import cli
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.models import PolicyRef
from bwvdisclose.safetext import CATEGORIES, KEPT, hidden_char, visible
from tests.flow.conftest import DEMO, ENV, INTAKE

# The red team's characters, the "Trojan Source" ones refused before, and other hiders.
CHARS = [
    "\u200e", "\u200f", "\u061c", "\u2028", "\u2029",  # found
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\r", "\x1b", "\x85", "\u00ad", "\u200b", "\u2060", "\ufeff", "\U000e0041",
]  # fmt: skip


def test_the_rule_is_the_unicode_categories_every_character() -> None:
    """Every code point of this Python's Unicode version, against unicodedata."""
    wrong = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if (hidden_char(chr(cp)) is not None)
        != (unicodedata.category(chr(cp)) in CATEGORIES and chr(cp) not in KEPT)
    ]
    assert wrong == [], f"safetext._HIDDEN is out of date for Unicode {unicodedata.unidata_version}"


def test_what_is_kept_is_text() -> None:
    text = "two\tcolumns\nمی\u200cخواهم क्\u200dष 👩\u200d🚒"
    assert hidden_char(text) is None
    assert visible(text) == text


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    store = tmp_path_factory.mktemp("safetext") / "store"
    code, out, err = _run("new", *INTAKE, "--answers", str(DEMO), "--store", str(store))
    assert code == 0, err
    return store, out.strip()


@pytest.mark.parametrize("char", CHARS, ids=lambda c: f"U+{ord(c):04X}")
def test_refused_in_an_argument_and_in_an_answers_file(
    case: tuple[Path, str], tmp_path: Path, char: str
) -> None:
    store, case_id = case
    before = (store / case_id / "events.jsonl").read_bytes()
    code, _, err = _run(
        "assess", case_id, "--answer", "media.viral=yes", "--rationale",
        f"Threat to {char}officer 12{char}-34", "--reason", "r", "--store", str(store),
    )  # fmt: skip
    assert code == 2, err
    assert f"U+{ord(char):04X} at position" in err and "invisible" in err, err
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"media.viral": {"value": True, "rationale": f"a{char}b"}}), encoding="utf-8"
    )
    code, _, err = _run(
        "assess", case_id, "--answers", str(answers), "--reason", "r", "--store", str(store)
    )
    assert code == 1, err
    assert f"U+{ord(char):04X} at position 2" in err, err
    assert (store / case_id / "events.jsonl").read_bytes() == before


def _old_case(root: Path, text: str) -> str:
    """A case as an old log might hold it: the store refuses these now, so it is written
    here directly."""
    who = Actor(name="PC Jane Smith", role="officer", number="PC1234")
    bodies = [
        CaseOpened(
            case_id="BWV-2026-0001", incident_ref="CAD 1", location="Whitehall",
            occurred=dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC), clips=[],
            policy=PolicyRef.of(load_policy()), notes=text,
        ),
        AnswerRecorded(question="force.shown", value=True, rationale=text),
    ]  # fmt: skip
    folder = root / "BWV-2026-0001"
    folder.mkdir(parents=True)
    prev, at = "0" * 64, dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
    with (folder / "events.jsonl").open("wb") as fh:
        for seq, body in enumerate(bodies, 1):
            event = build_event(seq, at + dt.timedelta(seconds=seq), who, prev, body)
            fh.write(event_line(event))
            prev = event.hash
    (folder / "HEAD").write_bytes(Head(seq=len(bodies), hash=prev).to_bytes())
    return "BWV-2026-0001"


def test_shown_as_code_points_in_text_and_json(tmp_path: Path) -> None:
    text = "Threat to " + "".join(f"{c}x" for c in CHARS)
    case_id = _old_case(tmp_path / "store", text)
    shown = "Threat to " + "".join(f"[U+{ord(c):04X}]x" for c in CHARS)
    for fmt in ("text", "json"):
        code, out, err = _run("show", case_id, "--format", fmt, "--store", str(tmp_path / "store"))
        assert code == 0, err
        for char in CHARS:
            assert char not in out, f"U+{ord(char):04X} printed raw by show --format {fmt}"
        if fmt == "json":
            out = json.loads(out)["answers"]["force.shown"]["rationale"]
        assert shown in out, out
