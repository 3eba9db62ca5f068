from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CRITERIA, Invoke


def test_check_shipped_policy(invoke: Invoke) -> None:
    result = invoke("criteria", "check")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("met-bwv-2020 2020.2: ok (")


def test_check_reports_problems_exit_1(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(CRITERIA / "met-bwv-2020", folder)
    (folder / "examples" / "01-default-do-not-publish.yaml").write_text(
        "description: broken\nanswers: {force.shown: maybe}\nexpect: {outcome: publish}\n"
    )
    result = invoke("criteria", "check", str(folder))
    assert result.exit_code == 1
    assert "force.shown: 'maybe' is not valid" in result.stderr
    assert "Traceback" not in result.stderr
