"""Malformed answers files, each through `evaluate`, `new --answers` and `assess --answers`.

The files are in corpus/answers/ (one per trick, named for it); a few more that are too
big or too odd to keep as files are made here. Each is refused with one message naming
the file, and no case is opened or changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.flow.conftest import DEMO

from .conftest import CORPUS, INTAKE, Store, assert_refused, run

FILES = sorted((CORPUS / "answers").iterdir())

# What the message must say, for the tricks where the wording matters most.
EXPECT = {
    "alias-bomb.yaml": "aliases (*name) are not allowed",
    "bigint.json": "Exceeds the limit (4300 digits)",
    "bigint.yaml": "line 1: cannot read",
    "bad-timestamp.yaml": "cannot read '2020-13-45' as timestamp",
    "bad-bool-tag.yaml": "cannot read 'maybe' as bool",
    "binary-nul.yaml": "binary data, not a text answers file",
    "bom-only.yaml": "no answers: the file is empty",
    "complex-key.yaml": "found unhashable key",
    "control-char-raw.yaml": "character #x001b at position 39 is not allowed",
    "deep-nesting.yaml": "line 1: nested more than 100 levels deep",
    "deep-nesting-parses.yaml": "line 1: nested more than 100 levels deep",
    "duplicate-key.json": "duplicate key 'force.shown'",
    "duplicate-key.yaml": "line 3: duplicate key 'force.shown'",
    "duplicate-key-quoted.yaml": "line 2: duplicate key 'force.shown'",
    "empty.yaml": "no answers: the file is empty",
    "invalid-utf8.yaml": "not valid UTF-8 (byte 13)",
    "lone-surrogate.json": "lone surrogate (U+DC00)",
    "merge-key-inline.yaml": "merge keys (<<) are not allowed",
    "nan.json": "NaN is not a JSON value",
    "non-string-key-int.yaml": "1: a question ID must be text",
    "python-object-apply.yaml": "could not determine a constructor",
    "rationale-bidi-override.yaml": "direction-changing character (U+202E at position 1)",
    "rationale-escape-sequence.yaml": "control, invisible or direction-changing character (U+001B",
    "top-level-list.yaml": "expected a mapping of question IDs to answers",
    "unknown-id-control.yaml": "'\\x1b[2J': unknown question",
    "unknown-id-homoglyph.yaml": "unknown question (did you mean force.shown?)",
    "unknown-id-trailing-space.yaml": "'force.shown ': unknown question",
    "unknown-id-typo.yaml": "force.shwon: unknown question (did you mean force.shown?)",
    "utf16.yaml": "binary data",
}

Command = Callable[[Path, Store], list[str]]
COMMANDS: dict[str, Command] = {
    "evaluate": lambda path, s: ["evaluate", str(path)],
    "new": lambda path, s: ["new", *INTAKE, "--answers", str(path), "--store", str(s.root)],
    "assess": lambda path, s: [
        "assess", s.decided, "--answers", str(path), "--reason", "r", "--store", str(s.root)
    ],
}  # fmt: skip


def test_the_corpus_is_large_enough() -> None:
    assert len(FILES) >= 100
    assert set(EXPECT) <= {p.name for p in FILES}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_malformed_answers_file(unchanged: Store, command: str, path: Path) -> None:
    result = run(*COMMANDS[command](path, unchanged))
    assert_refused(result, 1, path.name, EXPECT.get(path.name, ""))


def _huge(tmp: Path) -> Path:
    path = tmp / "huge.yaml"
    with path.open("w") as fh:  # valid YAML all the way: only its size is wrong
        fh.write("force.shown: true\n")
        fh.write("# padding\n" * 220_000)
    return path


def _deep_json(tmp: Path) -> Path:
    path = tmp / "deep.json"
    path.write_text('{"force.shown": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return path


def _deep_yaml(tmp: Path) -> Path:
    path = tmp / "deep.yaml"  # libyaml's C composer overflows its stack on this (segfault)
    path.write_text("force.shown: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return path


def _fifo(tmp: Path) -> Path:
    path = tmp / "answers.yaml"
    os.mkfifo(path)  # reading it would block for ever: it must be refused unread
    return path


def _missing(tmp: Path) -> Path:
    return tmp / "no-such-answers.yaml"


def _device(tmp: Path) -> Path:
    return Path("/dev/zero")


def _folder_named_yaml(tmp: Path) -> Path:
    path = tmp / "answers.yaml"
    path.mkdir()
    return path


GENERATED: dict[str, tuple[Callable[[Path], Path], int, str]] = {
    "over the size cap": (_huge, 1, "too large for an answers file (limit 2097152 bytes)"),
    "100000 levels of JSON": (_deep_json, 1, "nested too deeply"),
    "100000 levels of YAML": (_deep_yaml, 1, "nested more than 100 levels deep"),
    "a named pipe": (_fifo, 1, "not a file"),
    "a missing file": (_missing, 1, "no such answers file"),
    "a device": (_device, 1, "/dev/zero: not a file"),
    "a folder": (_folder_named_yaml, 2, "is a directory"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", GENERATED)
def test_generated_bad_answers_file(
    unchanged: Store, tmp_path: Path, command: str, case: str
) -> None:
    make, code, message = GENERATED[case]
    result = run(*COMMANDS[command](make(tmp_path), unchanged))
    assert_refused(result, code, message)


@pytest.mark.parametrize(
    ("name", "transform"),
    [
        ("bom.yaml", lambda b: b"\xef\xbb\xbf" + b),
        ("crlf.yaml", lambda b: b.replace(b"\n", b"\r\n")),
        ("bom-crlf.yaml", lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")),
    ],
)
def test_a_bom_or_crlf_reads_as_the_plain_file(
    tmp_path: Path, name: str, transform: Callable[[bytes], bytes]
) -> None:
    """Windows editors add these: the same answers, the same result, not an error."""
    path = tmp_path / name
    path.write_bytes(transform(DEMO.read_bytes()))
    plain = run("evaluate", str(DEMO), "--format", "json")
    assert plain.exit_code == 0
    assert run("evaluate", str(path), "--format", "json").stdout == plain.stdout
