"""Damaged case logs and case folders, through `verify`, `show`, `assess --answer`, `decide`.

Each damage is made on a copy of a real decided case. Every command refuses it with one
message (exit 1), nothing is written to the damaged case, and `list` still lists the
store, showing the case as damaged.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bwvdisclose.case.events import canonical_json, event_hash
from bwvdisclose.store.folder import FolderStore

from .conftest import Store, assert_refused, run, tree_digest

Lines = list[bytes]


@dataclass(frozen=True)
class Case:
    folder: Path
    outside: Path  # a folder beside the store, for links to point into

    @property
    def log(self) -> Path:
        return self.folder / "events.jsonl"

    @property
    def head(self) -> Path:
        return self.folder / "HEAD"

    def lines(self) -> Lines:
        return self.log.read_bytes().splitlines(keepends=True)

    def write(self, lines: Lines) -> None:
        self.log.write_bytes(b"".join(lines))


def _rechain(lines: Lines, case: Case) -> None:
    """Rewrite every hash and prev, and HEAD: a forger with write access and no key."""
    prev, out = "0" * 64, []
    for n, raw in enumerate(lines, 1):
        obj = json.loads(raw)
        obj.update(seq=n, prev=prev)
        if obj["type"] == "signoff_recorded":
            obj["head"] = prev
        obj["hash"] = prev = event_hash(obj)
        out.append(canonical_json(obj) + b"\n")
    case.write(out)
    case.head.write_bytes(canonical_json({"hash": prev, "seq": len(out)}) + b"\n")


def _edit_line(n: int, old: bytes, new: bytes) -> Callable[[Case], None]:
    def damage(case: Case) -> None:
        lines = case.lines()
        assert old in lines[n], lines[n]
        lines[n] = lines[n].replace(old, new, 1)
        case.write(lines)

    return damage


def _lines(change: Callable[[Lines], Lines]) -> Callable[[Case], None]:
    return lambda case: case.write(change(case.lines()))


def _relines(change: Callable[[Lines], Lines]) -> Callable[[Case], None]:
    return lambda case: _rechain(change(case.lines()), case)


def _json_line(n: int, dump: Callable[[dict[str, object]], str]) -> Callable[[Case], None]:
    def damage(case: Case) -> None:
        lines = case.lines()
        lines[n] = dump(json.loads(lines[n])).encode() + b"\n"
        case.write(lines)

    return damage


def _head(data: bytes | Callable[[bytes], bytes]) -> Callable[[Case], None]:
    def damage(case: Case) -> None:
        case.head.write_bytes(data(case.head.read_bytes()) if callable(data) else data)

    return damage


def _head_at(back: int) -> Callable[[Case], None]:
    def damage(case: Case) -> None:
        lines = case.lines()
        event = json.loads(lines[-1 - back])
        case.head.write_bytes(canonical_json({"hash": event["hash"], "seq": event["seq"]}) + b"\n")

    return damage


def _replace(name: str, kind: str) -> Callable[[Case], None]:
    def damage(case: Case) -> None:
        path = case.folder / name
        if kind == "link":
            target = case.outside / name.replace("/", "-")
            shutil.copyfile(path, target)
            path.unlink()
            path.symlink_to(target)
        else:
            path.unlink()
            if kind == "folder":
                path.mkdir()

    return damage


def _folder_link(case: Case) -> None:
    target = case.outside / "case-copy"
    shutil.copytree(case.folder, target)
    shutil.rmtree(case.folder)
    case.folder.symlink_to(target)


def _folder_file(case: Case) -> None:
    shutil.rmtree(case.folder)
    case.folder.write_bytes(b"not a folder")


def _folder_empty(case: Case) -> None:
    for path in case.folder.iterdir():
        path.unlink()


def _forged_line(case: Case) -> None:
    lines = case.lines()
    last = json.loads(lines[-1])
    forged = {**last, "seq": last["seq"] + 1, "prev": last["hash"]}
    forged["hash"] = event_hash(forged)
    case.write([*lines, canonical_json(forged) + b"\n"])


def _swap(a: int, b: int) -> Callable[[Lines], Lines]:
    def change(lines: Lines) -> Lines:
        lines[a], lines[b] = lines[b], lines[a]
        return lines

    return change


def _no_reason(lines: Lines) -> Lines:
    return [ln.replace(b'"type":"answer_recorded"', b'"type":"answer_changed"', 1) for ln in lines]


HUGE = b"x" * 3_000_000 + b"\n"
GARBAGE = bytes(range(256)) * 16

DAMAGE: dict[str, Callable[[Case], None]] = {
    "truncated mid-line": _lines(lambda ls: [*ls[:-1], ls[-1][:-40]]),
    "last event cut off": _lines(lambda ls: ls[:-1]),
    "truncated to one byte": _lines(lambda ls: [ls[0][:1]]),
    "emptied": _lines(lambda ls: []),
    "binary garbage": lambda c: c.log.write_bytes(GARBAGE),
    "a NUL byte in a line": _edit_line(2, b'"', b"\x00"),
    "invalid UTF-8 in a line": _edit_line(2, b'"value"', b'"val\xffue"'),
    "a garbage line in the middle": _lines(lambda ls: [*ls[:3], b"hello\n", *ls[3:]]),
    "a garbage line at the end": _lines(lambda ls: [*ls, b"garbage\n"]),
    "a JSON array line at the end": _lines(lambda ls: [*ls, b"[1,2,3]\n"]),
    "a value edited": _edit_line(1, b'"value":"protest"', b'"value":"arrest"'),
    "a value edited, the line rehashed": _edit_line(1, b'"value":"protest"', b'"value":"arrest"'),
    "spaces added": _json_line(2, json.dumps),
    "keys out of order": _json_line(2, lambda o: json.dumps(dict(reversed(o.items())))),
    "a key dropped": _json_line(
        2, lambda o: json.dumps({k: v for k, v in o.items() if k != "rationale"})
    ),
    "two lines swapped": _lines(_swap(2, 3)),
    "the last two lines swapped": _lines(_swap(-1, -2)),
    "a line duplicated": _lines(lambda ls: [*ls[:3], ls[2], *ls[3:]]),
    "a middle line deleted": _lines(lambda ls: ls[:3] + ls[4:]),
    "the first line deleted": _lines(lambda ls: ls[1:]),
    "CRLF line ends": _lines(lambda ls: [ln.replace(b"\n", b"\r\n") for ln in ls]),
    "a BOM in front": _lines(lambda ls: [b"\xef\xbb\xbf" + ls[0], *ls[1:]]),
    "a 3 MB line appended": _lines(lambda ls: [*ls, HUGE]),
    "a 3 MB line in place of an event": _lines(lambda ls: [*ls[:2], HUGE, *ls[3:]]),
    "a forged event appended": _forged_line,
    "rechained: case_opened twice": _relines(lambda ls: [ls[0], *ls]),
    "rechained: opened later": _relines(lambda ls: [*ls[1:3], ls[0], *ls[3:]]),
    "rechained: an answer recorded twice": _relines(lambda ls: [*ls[:3], ls[2], *ls[3:]]),
    "rechained: an answer changed without a reason": _relines(_no_reason),
    "HEAD missing": _replace("HEAD", "missing"),
    "HEAD empty": _head(b""),
    "HEAD binary": _head(GARBAGE),
    "HEAD with spaces": _head(lambda h: h.replace(b",", b", ")),
    "HEAD counts too many": _head(lambda h: h.replace(b'"seq":', b'"seq":9')),
    "HEAD names an earlier event": _head_at(2),
    "HEAD with a wrong hash": _head(lambda h: re.sub(rb"[0-9a-f]{64}", b"f" * 64, h)),
    "HEAD pending not a hash": _head(lambda h: h[:-2] + b',"pending":"nope"}\n'),
    "HEAD a folder": _replace("HEAD", "folder"),
    "events.jsonl missing": _replace("events.jsonl", "missing"),
    "events.jsonl a folder": _replace("events.jsonl", "folder"),
    "events.jsonl a link outside the store": _replace("events.jsonl", "link"),
    "HEAD a link outside the store": _replace("HEAD", "link"),
    ".lock a link outside the store": _replace(".lock", "link"),
    "the case folder a link outside the store": _folder_link,
    "the case folder a file": _folder_file,
    "the case folder empty": _folder_empty,
}
DAMAGE["a value edited, the line rehashed"] = lambda c: (
    DAMAGE["a value edited"](c),
    _json_line(1, lambda o: canonical_json({**o, "hash": event_hash(o)}).decode())(c),
)[-1]


@pytest.fixture
def damaged(corpus_store: Store, tmp_path: Path) -> tuple[Path, str, Case]:
    root = tmp_path / "store"
    root.mkdir(mode=0o700)
    shutil.copytree(corpus_store.root / corpus_store.decided, root / corpus_store.decided)
    FolderStore(root).adopt()  # a store of that one case, with its store-wide log
    (tmp_path / "outside").mkdir()
    return root, corpus_store.decided, Case(root / corpus_store.decided, tmp_path / "outside")


COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "verify": lambda c: ["verify", c],
    "show": lambda c: ["show", c],
    "assess": lambda c: ["assess", c, "--answer", "media.viral=no", "--rationale", "r"],
    "decide": lambda c: ["decide", c, "--outcome", "do_not_publish", "--rationale", "r"],
}


def test_the_copy_is_a_good_case(damaged: tuple[Path, str, Case]) -> None:
    root, case_id, _ = damaged
    assert run("verify", case_id, "--store", str(root)).exit_code == 0


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_case(damaged: tuple[Path, str, Case], damage: str, command: str) -> None:
    root, case_id, case = damaged
    DAMAGE[damage](case)
    before = tree_digest(root.parent)
    result = run(*COMMANDS[command](case_id), "--store", str(root))
    assert_refused(result, 1, case_id if command == "verify" else "")
    assert tree_digest(root.parent) == before, "the damaged case was written to"


@pytest.mark.parametrize("damage", DAMAGE)
def test_list_shows_a_damaged_case(damaged: tuple[Path, str, Case], damage: str) -> None:
    root, case_id, case = damaged
    DAMAGE[damage](case)
    before = tree_digest(root.parent)
    result = run("list", "--format", "json", "--store", str(root))
    assert result.exit_code == 0, result.output
    rows = {row["case_id"]: row for row in json.loads(result.stdout)}
    if damage != "the case folder a file":  # not a folder, so not listed as a case
        assert rows[case_id]["status"].startswith("DAMAGED: "), rows
    assert tree_digest(root.parent) == before
