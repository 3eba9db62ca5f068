"""Fuzz targets: the answers-file parser and the case-log parser take anything without crashing.

`parse_data` + `validate_answers` (text, YAML-ish token soup, mangled valid files) and
`load_answers` (raw bytes from disk) may only return answers or raise a BwvError;
`scan_log` (raw bytes of a log and of HEAD, and mangled real logs) may only return a
verdict. CI runs a bounded, derandomized number of examples; to fuzz for longer:

    FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/hardening/test_fuzz.py -m fuzz

(with a random seed each run; add `-p no:cacheprovider` to keep no example database).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bwvdisclose.answers import Answer, load_answers, validate_answers
from bwvdisclose.case.verify import LogScan, scan_log
from bwvdisclose.datafile import parse_data
from bwvdisclose.errors import BwvError
from bwvdisclose.policy import load_policy
from bwvdisclose.store.folder import FolderStore
from tests.conftest import CRITERIA
from tests.flow.conftest import DEMO, new_case

pytestmark = pytest.mark.fuzz

POLICY = load_policy(CRITERIA / "met-bwv-2020")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,  # CI: the same examples every run
    database=None,
    suppress_health_check=list(HealthCheck),
)

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=400)  # surrogates too
TOKENS = [
    *POLICY.questions, "force.shwon", "x", "<<", "~", "null", "true", "yes", "on", "no", "1",
    "-1", "0x1f", "1e400", "9" * 50, ".nan", "2020-13-45", "2026-11-20 14:30:00", ": ", ":",
    "- ", "\n", "\r\n", "  ", "\t", "[", "]", "{", "}", ", ", "'", '"', "\\", "\\u202e",
    "\\ud800", "\\0", "\\e", "&a ", "*a", "!!python/object/apply:os.system ", "!!binary ",
    "!!set ", "!!int ", "!!bool ", "!!float ", "!!timestamp ", "!x ", "? ", "# c", "---\n",
    "...\n", "%YAML 1.1\n", "value", "rationale", "\ufeff", "\x85", "\u2028", "protest",
    "pending", "objection", "racial_profiling",
]  # fmt: skip
TOKEN_SOUP = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    | st.sampled_from(list(POLICY.questions)),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from([*POLICY.questions, "value", "rationale", "x"]), inner,
                      max_size=6),
    max_leaves=20,
)  # fmt: skip


def _dumped(data: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps(data)
    return yaml.safe_dump(data, allow_unicode=True)


@st.composite
def mangled(draw: st.DrawFn, text: str) -> str:
    """A text with a few characters replaced, inserted or deleted."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(chars)))
        what = draw(st.sampled_from(["replace", "insert", "delete"]))
        char = draw(st.sampled_from(TOKENS[-30:]) | st.characters(exclude_categories=()))
        if what == "insert" or not chars[at:]:
            chars.insert(at, char)
        elif what == "replace":
            chars[at] = char
        else:
            del chars[at]
    return "".join(chars)


def _answers_or_bwv_error(text: str, name: str) -> None:
    try:
        data = parse_data(text, name)
        result = validate_answers(POLICY, data, name)
    except BwvError as exc:
        assert str(exc).startswith(name), exc
        return
    assert all(isinstance(a, Answer) for a in result.values())


@FUZZ
@given(ANY_TEXT | TOKEN_SOUP, st.sampled_from(["a.yaml", "a.json"]))
def test_answers_parser_on_any_text(text: str, name: str) -> None:
    _answers_or_bwv_error(text, name)


@FUZZ
@given(JSONISH, st.booleans(), st.data())
def test_answers_parser_on_mangled_files(data: Any, as_json: bool, draw: st.DataObject) -> None:
    text = _dumped(data, as_json)
    name = "a.json" if as_json else "a.yaml"
    _answers_or_bwv_error(text, name)
    _answers_or_bwv_error(draw.draw(mangled(text)), name)


@FUZZ
@given(st.data())
def test_answers_parser_on_mangled_demo(draw: st.DataObject) -> None:
    _answers_or_bwv_error(draw.draw(mangled(DEMO.read_text())), "demo.yaml")


@FUZZ
@given(st.binary(max_size=600) | ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_answers_loader_on_any_bytes(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-answers.yaml"
    path.write_bytes(raw)
    try:
        load_answers(path, POLICY)
    except BwvError as exc:
        assert str(path) in str(exc)


# --- the case log -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes, bytes]:
    store = tmp_path_factory.mktemp("fuzzlog") / "store"
    case_id = new_case(store)
    folder = FolderStore(store).case_dir(case_id)
    return case_id, (folder / "events.jsonl").read_bytes(), (folder / "HEAD").read_bytes()


def _scan(case_id: str, data: bytes | None, head: bytes | None) -> LogScan:
    scan = scan_log(case_id, data, head)
    v = scan.verification
    assert isinstance(scan, LogScan)
    assert v.ok == (v.problem is None)
    assert len(scan.events) == v.events
    assert scan.complete <= scan.size == len(data or b"")
    if v.ok:
        assert scan.events and v.head == scan.events[-1].hash
    return scan


@FUZZ
@given(st.binary(max_size=2000) | st.none(), st.binary(max_size=200) | st.none())
def test_log_parser_on_any_bytes(
    real_log: tuple[str, bytes, bytes], data: bytes | None, head: bytes | None
) -> None:
    assert not _scan(real_log[0], data, head).verification.ok or data


@st.composite
def mangled_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """A log with a few bytes flipped, inserted or deleted, or lines moved."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        what = draw(st.sampled_from(["flip", "insert", "delete", "lines"]))
        if what == "flip" and out:
            out[at] ^= draw(st.integers(1, 255))
        elif what == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif what == "delete" and out:
            del out[at : at + draw(st.integers(1, 8))]
        else:
            lines = bytes(out).split(b"\n")
            lines = draw(st.permutations(lines))
            out = bytearray(b"\n".join(lines))
    return bytes(out)


@FUZZ
@given(st.data())
def test_log_parser_on_mangled_real_logs(
    real_log: tuple[str, bytes, bytes], draw: st.DataObject
) -> None:
    case_id, log, head = real_log
    mangled_log = draw.draw(mangled_bytes(log))
    mangled_head = draw.draw(st.just(head) | mangled_bytes(head))
    scan = _scan(case_id, mangled_log, mangled_head)
    complete = mangled_log[: mangled_log.rfind(b"\n") + 1]
    if scan.verification.ok:
        # only an untouched log (perhaps with a torn tail) or HEAD-only noise can pass
        assert complete == log[: len(complete)] and scan.events
