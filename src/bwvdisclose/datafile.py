"""Reading YAML and JSON input files: the one place the safe parsing choices live.

Safe loader only (no Python tags), no aliases (no anchor bombs), a size cap, and
every failure turned into one `InputError` line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from bwvdisclose.errors import InputError

MAX_BYTES = 2 * 1024 * 1024


# libyaml's C loader when the machine has it (ten times faster), else the pure-Python one.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AliasRefused(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _refuse_aliases(text: str) -> None:
    """Anchors and aliases can expand into huge documents: input files may not use them."""
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 0
            raise AliasRefused(line)


def read_text(path: Path, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file, refusing directories, huge and binary files."""
    if not path.exists():
        raise InputError(f"{path}: no such {what}")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {size} bytes is too large for a {what} (limit {max_bytes})")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError(f"{path}: binary data, not a text {what}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def parse_data(text: str, name: str) -> Any:
    """Parse YAML (or JSON, which is read as JSON when the name ends in .json)."""
    try:
        if name.endswith(".json"):
            return json.loads(text)
        _refuse_aliases(text)
        return yaml.load(text, Loader=_SafeLoader)
    except AliasRefused as exc:
        raise InputError(f"{name}: line {exc.line}: aliases (*name) are not allowed") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"{name}: {where}{problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{name}: invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply") from None


def load_data(path: Path, what: str = "file") -> Any:
    return parse_data(read_text(path, what), str(path))


def flatten_validation_error(name: str, exc: Any) -> str:
    """Turn a pydantic ValidationError into `file: loc.path: message` lines."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{name}: {loc}: {err['msg']}")
    return "\n".join(lines)
