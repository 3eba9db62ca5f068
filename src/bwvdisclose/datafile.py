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


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases outright."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in input files", event.start_mark
            )
        return super().compose_node(parent, index)


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
        return yaml.load(text, Loader=_NoAliasLoader)
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
