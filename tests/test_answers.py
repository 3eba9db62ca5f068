from __future__ import annotations

from pathlib import Path

import pytest

from bwvdisclose.answers import load_answers, parse_text_value, validate_answers
from bwvdisclose.errors import AnswersError, InputError
from bwvdisclose.policy import Policy


def test_value_and_rationale_forms(policy: Policy) -> None:
    got = validate_answers(
        policy,
        {"force.shown": True, "media.viral": {"value": False, "rationale": "not shared"}},
        "f",
    )
    assert got["force.shown"].value is True
    assert (got["media.viral"].value, got["media.viral"].rationale) == (False, "not shared")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"force.shwon": True}, "f: force.shwon: unknown question (did you mean force.shown?)"),
        ({"force.shown": "yes"}, "f: force.shown: 'yes' is not valid; expected true or false"),
        (
            {"incident.type": "rave"},
            "f: incident.type: 'rave' is not allowed; expected one of: stop_and_search",
        ),
        ({"incident.type": "protst"}, "(did you mean protest?)"),
        ({"media.allegations": ["racism"]}, "f: media.allegations: 'racism' is not allowed"),
        ({"media.allegations": "other"}, "expected a list of: racial_profiling"),
        ({"media.allegations": ["other", "other"]}, "a choice is repeated"),
        ({"force.shown": None}, "an empty answer is not valid"),
        ({"force.shown": {"value": True, "why": "x"}}, "expected {value: ..., rationale: ...}"),
        ({"force.shown": {"value": True, "rationale": 3}}, "rationale must be text"),
        (["force.shown"], "f: expected a mapping of question IDs to answers"),
        ({1: True}, "f: 1: a question ID must be text"),
        ({"force.shown": {"value": True, "rationale": "a\x1b[2Jb"}}, "(U+001B at position 2)"),
        ({"force.shown": {"value": True, "rationale": "\u202egnp.exe"}}, "direction-changing"),
    ],
)
def test_bad_answers_are_named(policy: Policy, data: object, message: str) -> None:
    with pytest.raises(AnswersError) as err:
        validate_answers(policy, data, "f")
    assert message in str(err.value)


def test_all_problems_reported_at_once(policy: Policy) -> None:
    with pytest.raises(AnswersError) as err:
        validate_answers(policy, {"a.b": 1, "force.shown": 2, "media.viral": True}, "f")
    assert len(str(err.value).splitlines()) == 2


def test_multi_values_keep_policy_order(policy: Policy) -> None:
    got = validate_answers(policy, {"media.allegations": ["other", "racial_profiling"]}, "f")
    assert got["media.allegations"].value == ["racial_profiling", "other"]


def test_parse_text_value(policy: Policy) -> None:
    qs = policy.questions
    assert parse_text_value(qs["force.shown"], "Yes") is True
    assert parse_text_value(qs["force.shown"], "n") is False
    assert parse_text_value(qs["media.allegations"], "other, racial_profiling") == [
        "racial_profiling",
        "other",
    ]
    assert parse_text_value(qs["media.allegations"], "-") == []
    with pytest.raises(ValueError, match="expected yes or no"):
        parse_text_value(qs["force.shown"], "maybe")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"force.shown: [", "node content"),
        (b"\xff\xfe bad", "not valid UTF-8"),
        (b"a: 1\x00", "binary data"),
        (b"a: &x 1\nb: *x\n", "aliases (*name) are not allowed"),
        (b"a: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
        (b"force.shown: true\nforce.shown: false\n", "line 2: duplicate key 'force.shown'"),
        (b"<<: {force.shown: true}\n", "merge keys (<<) are not allowed"),
        (b"force.shown: 2020-13-45\n", "line 1: cannot read '2020-13-45' as timestamp"),
        (b"force.shown: !!bool maybe\n", "cannot read 'maybe' as bool"),
        (b"force.shown: " + b"9" * 5000 + b"\n", "as int: Exceeds the limit"),
        (b'force.shown: "\\ud800"\n', "lone surrogate (U+D800)"),
        (b"# nothing here\n", "no answers: the file is empty"),
    ],
)
def test_unreadable_files(policy: Policy, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_answers(path, policy)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_json_duplicate_keys_and_a_bom(policy: Policy, tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(b'{"force.shown": true, "force.shown": false}')
    with pytest.raises(InputError, match=r"duplicate key 'force\.shown'"):
        load_answers(path, policy)
    path.write_bytes('\ufeff{"force.shown": true}'.encode())
    assert load_answers(path, policy)["force.shown"].value is True
