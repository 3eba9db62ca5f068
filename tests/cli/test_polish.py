"""Command-line polish a new user runs into: near misses, missing stores, where cases go."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, Invoke
from tests.flow.conftest import DEMO, ENV, INTAKE

WHO = {k: v for k, v in ENV.items() if k.startswith("BWVDISCLOSE_")}


def _new(invoke: Invoke, store: Path) -> str:
    args = ("new", *INTAKE, "--answers", str(DEMO), "--store", str(store))
    result = invoke(*args, env=WHO)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_decide_outcome_near_miss_suggests_the_outcome(invoke: Invoke, tmp_path: Path) -> None:
    case_id = _new(invoke, tmp_path / "s")
    result = invoke("decide", case_id, "--outcome", "publsh", "--store", str(tmp_path / "s"))
    assert result.exit_code == 2
    assert "(did you mean publish?)" in result.stderr


def test_audit_filter_near_miss_suggests(invoke: Invoke, tmp_path: Path) -> None:
    _new(invoke, tmp_path / "s")
    result = invoke("audit", "list", "--store", str(tmp_path / "s"), "--decided", "do_not_publsh")
    assert result.exit_code == 2
    assert "(did you mean do_not_publish?)" in result.stderr


def test_revisit_near_miss_suggests_the_question(invoke: Invoke, tmp_path: Path) -> None:
    case_id = _new(invoke, tmp_path / "s")
    args = ("assess", case_id, "--revisit", "force.type", "--store", str(tmp_path / "s"))
    result = invoke(*args, env=WHO)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --revisit force.type: unknown question (did you mean force.types?)\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--format", "json"),
        ("show", "BWV-2026-0001"),
        ("verify", "BWV-2026-0001"),
        ("assess", "BWV-2026-0001", "--answer", "iopc.advice=pending", "--rationale", "x"),
        ("decide", "BWV-2026-0001", "--outcome", "publish"),
        ("audit", "verify"),
        ("audit", "list"),
        ("audit", "stats"),
    ],
)
def test_a_missing_store_is_one_error_everywhere(
    invoke: Invoke, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "missing"
    result = invoke(*args, "--store", str(missing), env=WHO)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: no case store at {missing} ")
    assert not missing.exists()


def test_default_store_is_the_users_data_folder_and_new_says_where(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BWVDISCLOSE_STORE", raising=False)
    env = {**WHO, "XDG_DATA_HOME": str(tmp_path / "data")}
    result = invoke("new", *INTAKE, "--answers", str(DEMO), env=env)
    assert result.exit_code == 0, result.output
    case_id = result.stdout.strip()
    store = tmp_path / "data" / "bwvdisclose" / "casefiles"
    assert (store / case_id / "events.jsonl").is_file()
    assert result.stderr == f"{case_id} opened in {store}\n"
    assert not (tmp_path / "casefiles").exists()
    listed = invoke("list", "--format", "json", env=env)
    assert [r["case_id"] for r in json.loads(listed.stdout)] == [case_id]


def test_cases_in_the_repository_casefiles_folder_are_ignored_by_git() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    probe = "casefiles/BWV-2026-0001/events.jsonl"
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", probe], check=False
    ).returncode
    assert ignored == 0
    kept = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", "casefiles/README.md"], check=False
    ).returncode
    assert kept == 1


def test_in_a_pipe_lines_are_whole(tmp_path: Path) -> None:
    """`list` and `show` through a real pipe: no word broken, no line wrapped."""
    import os
    import sys

    store = tmp_path / "s"
    env = {**os.environ, **WHO, "BWVDISCLOSE_STORE": str(store), "COLUMNS": "60"}
    ref = "CAD 4417/14NOV with a reference much longer than any terminal column would hold"
    run = [sys.executable, "-m", "bwvdisclose"]
    subprocess.run(
        [*run, "new", "--incident-ref", ref, "--occurred", "2026-11-14T14:52",
         "--location", "Whitehall", "--answers", str(DEMO)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    listed = subprocess.run([*run, "list"], env=env, check=True, capture_output=True, text=True)
    row = next(line for line in listed.stdout.splitlines() if "BWV-" in line)
    assert ref in row and "do_not_publish" not in row and "publish_with_redactions" in row
    assert "ready for decision" in row
    shown = subprocess.run(
        [*run, "show", "BWV-2026-0001"], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert f"  Incident {ref}, " in shown
    assert "Digital Media Unit can blur faces; the challenge remains visible" in shown


def _unexplained(tmp_path: Path) -> Path:
    """The demo answers with the rationale of one answer that needs one taken out."""
    import yaml

    data = yaml.safe_load(DEMO.read_text())
    data["officers.safety_risk"] = False
    path = tmp_path / "unexplained.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_one_rationale_rule_on_every_route_that_records_answers(
    invoke: Invoke, tmp_path: Path
) -> None:
    store, bare = tmp_path / "s", _unexplained(tmp_path)
    expected = "error: a rationale is required for: officers.safety_risk "
    opened = invoke("new", *INTAKE, "--answers", str(bare), "--store", str(store), env=WHO)
    assert opened.exit_code == 1 and opened.stderr.startswith(expected)
    assert not store.exists() or not list(store.glob("BWV-*"))  # nothing opened

    # a case with every answer but that one, then the same answer by file and by --answer
    import yaml

    data = yaml.safe_load(bare.read_text())
    del data["officers.safety_risk"]
    partial = tmp_path / "partial.yaml"
    partial.write_text(yaml.safe_dump(data))
    case_id = invoke(
        "new", *INTAKE, "--answers", str(partial), "--store", str(store), env=WHO
    ).stdout.strip()
    log = store / case_id / "events.jsonl"
    before = log.read_bytes()
    by_file = invoke("assess", case_id, "--answers", str(bare), "--store", str(store), env=WHO)
    assert by_file.exit_code == 1 and by_file.stderr.startswith(expected)
    one = ("assess", case_id, "--answer", "officers.safety_risk=no", "--store", str(store))
    by_option = invoke(*one, env=WHO)
    assert by_option.exit_code == 1 and by_option.stderr.startswith(expected)
    assert log.read_bytes() == before  # nothing written
    done = invoke(*one, "--rationale", "No threats known", env=WHO)
    assert done.exit_code == 0, done.output

    # evaluating a what-if file records nothing, so it stays lenient
    assert invoke("evaluate", str(bare)).exit_code == 0
