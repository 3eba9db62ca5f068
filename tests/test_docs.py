"""Every command has help text and appears in the README."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from bwvdisclose.cli.main import COMMANDS as COMMANDS_TABLE
from bwvdisclose.cli.main import cli
from tests.conftest import ROOT, Invoke


def _commands(group: click.Group, prefix: str = "") -> Iterator[str]:
    names = group.list_commands(click.Context(group))
    for name, cmd in ((n, group.get_command(click.Context(group), n)) for n in sorted(names)):
        path = f"{prefix}{name}"
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path + " ")
        else:
            yield path


COMMANDS = list(_commands(cli))


def test_there_are_commands() -> None:
    assert "evaluate" in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help(invoke: Invoke, command: str) -> None:
    result = invoke(*command.split(), "--help")
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) > 3


@pytest.mark.parametrize("command", COMMANDS)
def test_command_in_readme(command: str) -> None:
    assert f"bwvdisclose {command}" in (ROOT / "README.md").read_text()


def test_readme_quickstart() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert "    make demo\n    make test\n" in quick


@pytest.mark.parametrize("name", sorted(COMMANDS_TABLE))
def test_lazy_help_matches_the_command(name: str) -> None:
    """The one-line help `bwvdisclose --help` shows without importing matches the command's own."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    first_line = (command.help or "").strip().splitlines()[0]
    shown = COMMANDS_TABLE[name][2].removesuffix("...")
    assert first_line.startswith(shown), (first_line, shown)


def test_top_level_help_lists_every_command(invoke: Invoke) -> None:
    out = invoke("--help").output
    for name in COMMANDS_TABLE:
        assert f"  {name} " in out


@pytest.mark.default_policy
def test_readme_worked_example_is_real_output(invoke: Invoke) -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("    $ bwvdisclose evaluate demo/answers/protest.yaml\n")
    block = readme[start:].split("\n\n`make demo`", 1)[0]
    shown = "\n".join(line[4:] for line in block.splitlines()[1:])
    result = invoke("evaluate", str(ROOT / "demo" / "answers" / "protest.yaml"))
    assert shown.strip() == result.output.strip()


def test_readme_command_table_is_one_table() -> None:
    """Every command row sits under the table's header: no blank line splits the table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    start = section.index("| command | what it does |")
    block = section[start:].split("\n\n", 1)[0].splitlines()
    assert block[1] == "|---|---|"
    assert all(line.startswith("| `bwvdisclose ") for line in block[2:])
    for command in COMMANDS:
        assert any(line.startswith(f"| `bwvdisclose {command}") for line in block), command


def test_readme_says_how_to_get_on_path_and_about_sudo() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert ". .venv/bin/activate" in quick
    assert "sudo" in quick and "apt-get" in quick


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Lines in order; a line `...` stands for any lines, `...` inside a line for any text."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(_matches(rest, actual[i:]) for i in range(len(actual) + 1))
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return (
        bool(actual) and re.fullmatch(pattern, actual[0]) is not None and _matches(rest, actual[1:])
    )


def test_readme_audit_example_is_real_output(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo store, audit verify and audit replay of the Audit section, run as shown."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("    $ bwvdisclose demo --cases 100 --store casefiles\n")
    block = readme[start : readme.index("\nA list that differs", start)]
    lines = [line[4:] for line in block.rstrip("\n").splitlines()]
    commands = [n for n, line in enumerate(lines) if line.startswith("$ bwvdisclose ")]
    assert len(commands) == 3
    monkeypatch.chdir(tmp_path)
    for n, at in enumerate(commands):
        args = [str(ROOT / a) if a.startswith("criteria/") else a for a in lines[at].split()[2:]]
        end = commands[n + 1] if n + 1 < len(commands) else len(lines)
        expected = lines[at + 1 : end]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        actual = result.stdout.rstrip("\n").splitlines()
        assert _matches(expected, actual), (lines[at], "\n".join(actual))
