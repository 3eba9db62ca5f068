from __future__ import annotations

import shutil
from pathlib import Path

from bwvdisclose.policy.lint import lint
from tests.conftest import CRITERIA


def test_shipped_policies_lint_clean() -> None:
    for folder in sorted(p for p in CRITERIA.iterdir() if (p / "policy.yaml").is_file()):
        _, problems, examples = lint(folder)
        assert problems == [], folder
        assert examples > 0


def test_lint_reports_failing_example_and_coverage(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(CRITERIA / "met-bwv-2020", folder)
    example = folder / "examples" / "05-appeal-stills-only.yaml"
    example.write_text(example.read_text().replace("  - stills_only", "  - amplification_warning"))
    _, problems, _ = lint(folder)
    assert any(p.startswith("05-appeal-stills-only: conditions: expected") for p in problems)
    assert "examples/: no example gives conditions stills_only" in problems


def test_lint_reports_question_never_asked(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(CRITERIA / "met-bwv-2020", folder)
    path = folder / "policy.yaml"
    text = path.read_text().replace(
        "ask_when: {q: force.shown, eq: true}",
        "ask_when: {all: [{q: force.shown, eq: true}, {q: force.shown, eq: false}]}",
    )
    path.write_text(text)
    _, problems, _ = lint(folder)
    assert "questions.force.types: ask_when can never hold, so it is never asked" in problems


def test_lint_requires_help_and_choice_labels(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(CRITERIA / "met-bwv-2020-v2", folder)  # 2020.1's wording is beside it
    path = folder / "policy.yaml"
    text = path.read_text()
    text = text.replace(
        "        help: Any use of force, including compliant handcuffing.\n", ""
    ).replace("          no_objection: No objection to publication\n", "", 1)
    path.write_text(text)
    _, problems, _ = lint(folder)
    assert "questions.force.shown: no help (what it means, how to answer)" in problems
    assert "questions.legal.advice: choices without a label: no_objection" in problems


def test_frozen_version_without_its_wording_lacks_help(tmp_path: Path) -> None:
    """2020.1's folder alone has questions without help: its wording file supplies them."""
    folder = tmp_path / "met-bwv-2020"
    shutil.copytree(CRITERIA / "met-bwv-2020", folder)
    _, problems, _ = lint(folder)
    assert "questions.appeal.active: no help (what it means, how to answer)" in problems
    shutil.copy(CRITERIA / "met-bwv-2020.wording.yaml", tmp_path)
    _, problems, _ = lint(folder)
    assert problems == []
