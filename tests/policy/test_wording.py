"""Version 2020.1 stays byte for byte; the help and labels written later live beside it.

`criteria/met-bwv-2020/` is the policy as first encoded, named by stored cases and
approved under its folder hash. Its wording for officers (help for every question, a
label for every choice) is in `criteria/met-bwv-2020.wording.yaml`, merged in on load,
and can fill in only what the frozen version leaves empty.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from bwvdisclose.engine import evaluate
from bwvdisclose.errors import PolicyError
from bwvdisclose.frozen import as_data
from bwvdisclose.policy import Policy, load_policy, policy_sha256
from bwvdisclose.policy.examples import example_files, load_example
from bwvdisclose.policy.load import _load_cached
from bwvdisclose.policy.wording import wording_file
from tests.conftest import CRITERIA, Invoke

FROZEN = CRITERIA / "met-bwv-2020"
# The bytes of criteria/met-bwv-2020/policy.yaml as version 2020.1 was first encoded
# (commit ba5e2e9), and the folder hash every stored 2020.1 case and approval names.
FROZEN_FILE_SHA256 = "c5842a313750d9a7eab3c56e541641c02cb91dcf8757d5c4f0f2f319fc19a44c"
FROZEN_FOLDER_SHA256 = "f276bc83430403c881577fda3d1d1f8eafa448f945b0c96fd07e7f161813afb1"


def test_version_2020_1_is_byte_for_byte_as_first_encoded() -> None:
    data = (FROZEN / "policy.yaml").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FROZEN_FILE_SHA256
    assert policy_sha256(FROZEN) == FROZEN_FOLDER_SHA256


def test_wording_gives_every_question_help_and_every_choice_a_label() -> None:
    policy = load_policy(FROZEN)
    assert policy.sha256 == FROZEN_FOLDER_SHA256  # the hash is the folder's alone
    for q in policy.questions.values():
        assert q.help.strip(), q.id
        assert all(q.choice_labels.get(c, "").strip() for c in q.choices or []), q.id
    assert policy.questions["legal.advice"].choice_labels["pending"].startswith("Pending")


def _bare(tmp_path: Path) -> Path:
    """A copy of the frozen folder without its wording file beside it."""
    folder = tmp_path / "met-bwv-2020"
    shutil.copytree(FROZEN, folder)
    return folder


def _worded(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    folder = _bare(tmp_path)
    text = wording_file(FROZEN).read_text()
    if edit is not None:
        assert edit[0] in text
        text = text.replace(*edit)
    wording_file(folder).write_text(text)
    return folder


def _without_wording(policy: Policy) -> dict[str, object]:
    data = as_data(policy)
    for section in data["sections"]:
        for q in section["questions"]:
            q["help"], q["choice_labels"] = "", {}
    return data


def test_wording_changes_no_rule_and_no_outcome(tmp_path: Path) -> None:
    bare = load_policy(_bare(tmp_path))
    worded = load_policy(FROZEN)
    assert _without_wording(bare) == _without_wording(worded)
    for path in example_files(FROZEN):
        answers = load_example(path).answers
        assert evaluate(bare, answers).summary() == evaluate(worded, answers).summary(), path


SHORT_HELP = "    help: >-\n      Anyone under 18"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("  tension.trust_in_policing:\n", "  tension.no_such_question:\n"), "no such question"),
        (
            ("  challenge.setting:\n    help: >-", "  force.shown:\n    help: >-"),
            "already has help; it is not replaced",
        ),
        (
            ("      pending: Pending", "      maybe: Pending"),
            "choice_labels.maybe: not a choice of the question",
        ),
        ((SHORT_HELP, "    prompt: Anything?\n" + SHORT_HELP), "holds only help and choice_labels"),
        (('version: "2020.1"', 'version: "2020.2"'), "but the folder holds met-bwv-2020 2020.1"),
        ((SHORT_HELP, "    help: >-\n      " + "x" * 2001), "longer than 2000 characters"),
    ],
)
def test_wording_that_would_change_the_policy_is_refused(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(_worded(tmp_path, edit))


def test_wording_applies_only_to_the_folder_hash_it_names(tmp_path: Path) -> None:
    folder = _worded(tmp_path)
    path = folder / "policy.yaml"
    text = path.read_text()
    path.write_text(text.replace("a matter of trust in policing?", "a matter of public trust?"))
    edited = policy_sha256(folder)
    with pytest.raises(PolicyError, match=f"SHA-256 {FROZEN_FOLDER_SHA256}, but the folder now"):
        load_policy(folder)
    assert edited != FROZEN_FOLDER_SHA256


def test_an_edited_wording_is_read_again_not_served_from_the_cache(tmp_path: Path) -> None:
    folder = _worded(tmp_path)
    assert load_policy(folder).questions["appeal.active"].help.startswith("An appeal")
    path = wording_file(folder)
    path.write_text(path.read_text().replace("An appeal for information", "A public appeal"))
    _load_cached.cache_clear()  # a new process: only the on-disk cache remains
    assert load_policy(folder).questions["appeal.active"].help.startswith("A public appeal")


def test_criteria_check_names_the_wording(invoke: Invoke) -> None:
    result = invoke("criteria", "check", str(FROZEN))
    assert result.exit_code == 0, result.output
    assert f"sha256 {FROZEN_FOLDER_SHA256}" in result.output
    assert "wording: met-bwv-2020.wording.yaml" in result.output
    assert "not part of the policy hash" in result.output
