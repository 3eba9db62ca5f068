from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bwvdisclose.errors import PolicyError
from bwvdisclose.policy import load_policy, policy_sha256
from tests.conftest import CRITERIA

SOURCE = CRITERIA / "met-bwv-2020"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "policy"
    shutil.copytree(SOURCE, folder)
    return folder


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "policy.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_shipped_policy_loads() -> None:
    policy = load_policy(SOURCE)
    assert policy.id == "met-bwv-2020"
    assert len(policy.sha256) == 64
    assert {"incident.type", "dpo.advice", "tension.footage_counters_inaccuracies"} <= set(
        policy.questions
    )


def test_hash_covers_every_file(copy: Path) -> None:
    before = policy_sha256(copy)
    (copy / "examples" / "01-default-do-not-publish.yaml").write_text("changed: true\n")
    assert policy_sha256(copy) != before


def test_hash_is_independent_of_location(copy: Path) -> None:
    assert policy_sha256(copy) == policy_sha256(SOURCE)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'version: "2020.1"',
            "version: 2020.1",
            "policy.yaml: version: Input should be a valid string",
        ),
        (
            "    cites: [MEMO, NDM]\n    record_part: information",
            "    cites: [MEMO, NOPE]\n    record_part: information",
            "cites unknown source NOPE",
        ),
        (
            "{q: appeal.active, eq: true}",
            "{q: appeal.activ, eq: true}",
            "unknown question appeal.activ",
        ),
        ("{ref: protect}", "{ref: protekt}", "unknown ref 'protekt'"),
        (
            "{q: challenge.setting, ne: none}",
            "{q: challenge.setting, ne: nowhere}",
            "challenge.setting cannot be 'nowhere'",
        ),
        (
            "    advice: psd.advice",
            "    advice: psd.advise",
            "advice question psd.advise is not defined",
        ),
        (
            "        type: bool\n        prompt: Does the footage show force",
            "        type: boolean\n        prompt: Does the footage show force",
            "Input should be 'bool'",
        ),
        ("    steps: [no_exception]", "    steps: [no_such_step]", "unknown step no_such_step"),
        (
            "        - {q: dp.identifiable_third_parties, eq: true}",
            "        - {ref: protect}",
            "a cycle that never ends: ref protect -> ref protect",
        ),
        (
            "        - {q: law.statutory_anonymity, eq: true}",
            "        - {q: dp.redaction_feasible, eq: true}",
            "ref protect -> question dp.redaction_feasible -> ref protect",
        ),
        (
            "help: Any use of force, including compliant handcuffing.",
            "help: Any use of force.\n        ask_when: {q: force.types, nonempty: true}",
            "question force.shown -> question force.types -> question force.shown",
        ),
        ("    when: {always: true}", "    when: {ref: protect}", "last step must always decide"),
        ("  do_not_publish: [decision_maker]", "  do_not_publish: [legal]", "include decision_mak"),
    ],
)
def test_bad_policy_is_one_clear_message_per_problem(
    copy: Path, old: str, new: str, message: str
) -> None:
    _edit(copy, old, new)
    with pytest.raises(PolicyError) as err:
        load_policy(copy)
    assert message in str(err.value)
    assert all(line.startswith(str(copy / "policy.yaml")) for line in str(err.value).splitlines())


def test_not_a_policy_folder(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a policy folder"):
        load_policy(tmp_path)
    with pytest.raises(PolicyError, match="no such policy folder"):
        load_policy(tmp_path / "missing")


def test_policy_files_are_text_and_not_links(copy: Path, tmp_path: Path) -> None:
    (copy / "examples" / "notes.bin").write_bytes(b"\xff\xfe")
    with pytest.raises(PolicyError, match=r"notes\.bin: not UTF-8 text"):
        load_policy(copy)
    (copy / "examples" / "notes.bin").unlink()
    (tmp_path / "outside.yaml").write_text("secret: 1\n")
    (copy / "examples" / "linked.yaml").symlink_to(tmp_path / "outside.yaml")
    with pytest.raises(PolicyError, match=r"linked\.yaml: a symbolic link in a policy folder"):
        load_policy(copy)
