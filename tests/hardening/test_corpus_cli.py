"""Bad command lines: unknown options, bad values, case IDs that try to leave the store.

Each is refused with one message and its documented exit code (2 for a bad command line,
1 for a domain error), without a traceback, and the store is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.flow.conftest import DEMO, PASS_ENV, Keys

from .conftest import INTAKE, Store, assert_refused, run

Args = Callable[[Store, Path], list[str]]


def _new(*extra: str, intake: list[str] = INTAKE) -> Args:
    return lambda s, t: ["new", *intake, *extra, "--answers", str(DEMO), "--store", str(s.root)]


def _occurred(value: str) -> Args:
    intake = [*INTAKE[:2], "--occurred", value, *INTAKE[4:]]
    return _new(intake=intake)


def _answer(pair: str, *extra: str) -> Args:
    return lambda s, t: [
        "assess", s.decided, "--answer", pair, "--rationale", "r", *extra, "--store", str(s.root)
    ]  # fmt: skip


def _on(command: str, case_id: str, *extra: str) -> Args:
    return lambda s, t: [command, case_id, *extra, "--store", str(s.root)]


def _record_out(out: Callable[[Path], Path]) -> Args:
    return lambda s, t: [
        "record", s.signed, "--key", str(t / "k.p12"), "--passphrase-env", PASS_ENV,
        "--out", str(out(t)), "--store", str(s.root),
    ]  # fmt: skip


def _existing(t: Path) -> Path:
    (t / "exists.pdf").write_bytes(b"keep me")
    return t / "exists.pdf"


def _folder(t: Path) -> Path:
    (t / "out.pdf").mkdir()
    return t / "out.pdf"


def _report_out(target: Callable[[Store], Path], *extra: str) -> Args:
    return lambda s, t: ["audit", "report", "--out", str(target(s)), *extra, "--store", str(s.root)]


def _filed_record(s: Store) -> Path:
    return next((s.root / s.signed / "records").glob("*.pdf"))


def _checkpoint_with(bad_signature: str) -> Args:
    """A checkpoint of the store whose signature line is `— name <bad_signature>`."""

    def make(s: Store, t: Path) -> list[str]:
        note = "\n".join(["bwvdisclose/x", "1", "A" * 43 + "=", "time 2026-11-29T20:00:00Z", ""])
        (t / "bad.txt").write_text(f"{note}\n\u2014 rt-store {bad_signature}\n")
        return ["audit", "verify", "--checkpoint", str(t / "bad.txt"), "--store", str(s.root)]

    return make


def _audit(command: str, *extra: str) -> Args:
    return lambda s, t: ["audit", command, *extra, "--store", str(s.root)]


TRAVERSAL = [
    "../x",
    "..",
    "BWV-2026-0001/../..",
    "BWV-2026-0001/..",
    "/etc/passwd",
    "/tmp",
    "BWV-2026-0001/",
    "BWV-2026-0001/events.jsonl",
    "./BWV-2026-0001",
    "~/BWV-2026-0001",
    "",
    " BWV-2026-0001",
    "bwv-2026-0001",
    "BWV-26-0001",
    "BWV-2026-001",
    "BWV-2026-0001 ",
    "BWV-2026-0001\n",
    "BWV-٢٠٢٦-٠٠٠١",
    "BWV-2026-" + "9" * 5000,
    "x" * 5000,
]

CASES: dict[str, tuple[Args, int, str]] = {
    "unknown command": (lambda s, t: ["publish"], 2, "No such command 'publish'"),
    "unknown option": (lambda s, t: ["list", "--colour", "--store", str(s.root)], 2, "--colour"),
    "unknown global option": (lambda s, t: ["--verbose", "list"], 2, "No such option"),
    "--passphrase to sign": (
        lambda s, t: ["sign", s.decided, "--role", "legal", "--key", "k", "--passphrase", "x"],
        2,
        "No such option '--passphrase'",
    ),
    "--passphrase to record": (
        lambda s, t: ["record", s.signed, "--key", "k", "--passphrase", "hunter2"],
        2,
        "No such option '--passphrase'",
    ),
    "--passphrase to keys create": (
        lambda s, t: [
            "keys",
            "create",
            "--name",
            "A",
            "--role",
            "legal",
            "--out",
            str(t),
            "--passphrase",
            "hunter2",
        ],
        2,
        "No such option '--passphrase'",
    ),
    "missing case ID": (lambda s, t: ["show", "--store", str(s.root)], 2, "Missing argument"),
    "missing answers file": (lambda s, t: ["evaluate"], 2, "Missing argument"),
    "--format xml": (lambda s, t: ["list", "--format", "xml", "--store", str(s.root)], 2, "xml"),
    "--outcome maybe": (_on("decide", "BWV-2026-0002", "--outcome", "maybe"), 2, "'maybe'"),
    "--outcome refer": (_on("decide", "BWV-2026-0002", "--outcome", "refer"), 2, "'refer'"),
    "--role king": (
        _on("sign", "BWV-2026-0002", "--role", "king", "--key", "k"),
        2,
        "'king' is not one of",
    ),
    "--store is a file": (lambda s, t: ["list", "--store", str(DEMO)], 2, "is a file"),
    "--criteria is a file": (lambda s, t: ["evaluate", str(DEMO), "--criteria", str(DEMO)], 2, ""),
    "--answers is a folder": (
        lambda s, t: ["evaluate", str(t)],
        2,
        "is a directory",
    ),
    "--occurred yesterday": (_occurred("yesterday"), 2, "is not a date and time"),
    "--occurred month 13": (_occurred("2026-13-01T10:00"), 2, "is not a date and time"),
    "--occurred 30 February": (_occurred("2026-02-30T10:00"), 2, "is not a date and time"),
    "--occurred hour 25": (_occurred("2026-11-20T25:00"), 2, "is not a date and time"),
    "--occurred offset +25:00": (_occurred("2026-11-20T14:30+25:00"), 2, "is not a date"),
    "--occurred before year 1 in UTC": (_occurred("0001-01-01T00:00+14:00"), 2, "is not a date"),
    "--occurred after year 9999 in UTC": (_occurred("9999-12-31T23:59-12:00"), 2, "is not a"),
    "--occurred blank": (_occurred("   "), 2, "--occurred is required"),
    "--occurred a number": (_occurred("1732190400"), 2, "is not a date and time"),
    "--incident-ref missing": (
        lambda s, t: [
            "new",
            "--occurred",
            "2026-11-20T14:30",
            "--location",
            "W",
            "--answers",
            str(DEMO),
            "--store",
            str(s.root),
        ],
        2,
        "--incident-ref is required",
    ),
    "--number empty": (_new("--number", ""), 2, "give your collar or staff number"),
    "--user blank": (_new("--user", "   "), 2, "must not be empty"),
    "escape sequence in --location": (_new("--notes", "a\x1b[2Jb"), 2, "U+001B"),
    "bidi override in --notes": (_new("--notes", "\u202egnp.exe"), 2, "U+202E"),
    "byte that is not UTF-8 in --notes": (_new("--notes", "caf\udce9"), 2, "U+DCE9"),
    "NUL in an answer": (_answer("media.viral=no\x00"), 2, "U+0000"),
    "--answer without =": (_answer("media.viral"), 1, "expected QUESTION_ID=VALUE"),
    "--answer without ID": (_answer("=yes"), 1, "expected QUESTION_ID=VALUE"),
    "--answer unknown ID": (_answer("media.virale=yes"), 1, "with a known question ID"),
    "--answer empty bool": (_answer("media.viral="), 1, "'' is not valid; expected yes or no"),
    "--answer bad bool": (_answer("media.viral=maybe"), 1, "expected yes or no"),
    "--answer bad choice": (_answer("incident.type=riot"), 1, "'riot' is not allowed"),
    "--answer bad multi": (_answer("media.allegations=racial_profiling,bias"), 1, "'bias'"),
    "--answer repeated choice": (_answer("force.types=spit_guard,spit_guard"), 1, "repeated"),
    "--answer twice": (
        _answer("media.viral=no", "--answer", "media.viral=yes"),
        1,
        "media.viral is given more than once",
    ),
    "--answer and --answers name one question": (
        _answer("media.viral=no", "--answers", str(DEMO), "--reason", "r"),
        1,
        "media.viral: answered both in",
    ),
    "changing an answer without --reason": (
        lambda s, t: [
            "assess",
            s.decided,
            "--answers",
            str(DEMO),
            "--answer",
            "officers.safety_risk=yes",
            "--store",
            str(s.root),
        ],
        1,
        "officers.safety_risk: answered both in",
    ),
    "decide a departure without --rationale": (
        _on("decide", "BWV-2026-0002", "--outcome", "publish"),
        1,
        "give a written justification",
    ),
    "record --out into a missing folder": (
        _record_out(lambda t: t / "no-such-folder" / "r.pdf"),
        1,
        "is not a folder",
    ),
    "record --out onto an existing file": (_record_out(_existing), 1, "already exists"),
    "record --out onto a folder": (_record_out(_folder), 2, "is a directory"),
    "audit report --out onto an existing file": (
        lambda s, t: ["audit", "report", "--out", str(_existing(t)), "--store", str(s.root)],
        1,
        "already exists",
    ),
    "audit report --out onto a case's events.jsonl": (
        _report_out(lambda s: s.root / s.signed / "events.jsonl"),
        1,
        "already exists",
    ),
    "audit report --out onto a filed record": (_report_out(_filed_record), 1, "already exists"),
    "audit report --out onto a folder": (
        lambda s, t: ["audit", "report", "--out", str(_folder(t)), "--store", str(s.root)],
        2,
        "is a directory",
    ),
    "checkpoint signature with bad padding": (_checkpoint_with("abc"), 1, "malformed"),
    "checkpoint signature too short": (_checkpoint_with("YWJj"), 1, "not an Ed25519"),
    "audit stats --from year 1": (_audit("stats", "--from", "0001-01-01"), 0, ""),
    "audit stats --from year 999": (_audit("stats", "--from", "0999-01-01"), 0, ""),
    "audit stats --to year 9999": (_audit("stats", "--to", "9999-12-31"), 0, ""),
    "audit list --from year 1": (_audit("list", "--from", "0001-01-01"), 0, ""),
    "keys create --role king": (
        lambda s, t: ["keys", "create", "--name", "A", "--role", "king", "--out", str(t)],
        2,
        "'king' is not one of",
    ),
    "keys create --out onto a file": (
        lambda s, t: ["keys", "create", "--name", "A", "--role", "legal", "--out", str(DEMO)],
        2,
        "is a file",
    ),
    "keys create with an unset passphrase variable": (
        lambda s, t: [
            "keys",
            "create",
            "--name",
            "A",
            "--role",
            "legal",
            "--out",
            str(t),
            "--ca",
            str(t),
            "--passphrase-env",
            "NO_SUCH_VARIABLE",
        ],
        1,
        "environment variable NO_SUCH_VARIABLE is not set",
    ),
}

for n, bad_id in enumerate(TRAVERSAL):
    for command in ("verify", "show", "assess", "decide"):
        extra = {"decide": ["--outcome", "publish"], "assess": ["--answer", "media.viral=no"]}
        # verify reads an existing file as a signed record (and fails it as one)
        record = command == "verify" and bad_id in ("/etc/passwd",)
        CASES[f"case ID {n} {bad_id[:30]!r} to {command}"] = (
            _on(command, bad_id, *extra.get(command, [])),
            1,
            "the record FAILED verification" if record else "is not a case ID",
        )


@pytest.mark.parametrize("case", CASES)
def test_bad_command_line(unchanged: Store, tmp_path: Path, keys: Keys, case: str) -> None:
    make, code, message = CASES[case]
    (tmp_path / "k.p12").write_bytes(Path(keys.p12("amy-ward")).read_bytes())
    result = run(*make(unchanged, tmp_path))
    if code == 0:  # an odd but valid value: no error, and no internal error
        assert result.exit_code == 0, result.stderr
    else:
        assert_refused(result, code, message)
    assert not (tmp_path / "exists.pdf").exists() or (tmp_path / "exists.pdf").read_bytes() == (
        b"keep me"
    )
