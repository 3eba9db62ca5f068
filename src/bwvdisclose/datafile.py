"""Reading YAML and JSON input files: the one place the safe parsing choices live.

Safe loader only (no Python tags), no aliases (no anchor bombs), no merge keys, no
duplicate keys, a size cap, text that is valid Unicode, and every failure turned
into one `InputError` naming the file (and the line, where there is one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import yaml

from bwvdisclose.errors import InputError
from bwvdisclose.inputfile import read_input
from bwvdisclose.safetext import strings

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 100  # far deeper than any policy or answers file; a parser's stack is not
BOM = "\ufeff"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, merge keys and duplicate keys outright.

    A value the YAML constructors cannot build (`!!int abc`, a date like 2020-13-45,
    an integer too long to convert) is a ConstructorError at its line, never a bare
    Python exception.
    """

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in input files", event.start_mark
            )
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # a constructor's own failure on a value it cannot build
            kind = str(node.tag).rsplit(":", 1)[-1]
            why = f": {str(exc)[:120]}" if isinstance(exc, ValueError) else ""
            problem = f"cannot read {_short(node.value)} as {kind}{why}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    def flatten_mapping(self, node: Any) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problem = "merge keys (<<) are not allowed in input files"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "found unhashable key", key_node.start_mark
                ) from None
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {_short(key)}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_text(path: Path, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing directories, huge and binary files. A BOM is dropped."""
    raw = read_input(path, what, max_bytes)
    if b"\x00" in raw:
        raise InputError(f"{path}: binary data, not a text {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    return text.removeprefix(BOM)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON value")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r:.60}")
        result[key] = value
    return result


def parse_data(text: str, name: str) -> Any:
    """Parse YAML (or JSON, which is read as JSON when the name ends in .json)."""
    try:
        if name.endswith(".json"):
            data = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
        else:
            data = yaml.load(text, Loader=_StrictLoader)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"{name}: {where}{problem}") from None
    except yaml.reader.ReaderError as exc:
        raise InputError(
            f"{name}: character #x{exc.character:04x} at position {exc.position} is not allowed"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply") from None
    except ValueError as exc:  # JSON: duplicate keys, NaN, integers too long to convert
        raise InputError(f"{name}: invalid JSON: {str(exc)[:200]}") from None
    _check_depth(data, name)
    _check_strings(data, name)
    return data


def _check_depth(data: Any, name: str) -> None:
    """Refuse data nested deeper than MAX_DEPTH (JSON; YAML is stopped while composing)."""
    todo = [(data, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise InputError(f"{name}: nested more than {MAX_DEPTH} levels deep")
            children = item.values() if isinstance(item, dict) else item
            todo.extend((child, depth + 1) for child in children)


def _check_strings(data: Any, name: str) -> None:
    """Refuse lone surrogates (from \\ud800 escapes): they are not text and cannot be stored."""
    for text in strings(data):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"{name}: text holds a lone surrogate (U+{ord(text[exc.start]):04X}), "
                "not valid Unicode"
            ) from None


def load_data(path: Path, what: str = "file") -> Any:
    return parse_data(read_text(path, what), str(path))


def flatten_validation_error(name: str, exc: Any) -> str:
    """Turn a pydantic ValidationError into `file: loc.path: message` lines."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{name}: {loc}: {err['msg']}")
    return "\n".join(lines)
