"""The Jinja2 environment for records and reports: autoescaped, strict, override folder first."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from bwvdisclose.safetext import visible

OVERRIDE_ENV = "BWVDISCLOSE_TEMPLATES"
LONG_RUN = 80  # characters without a space before a run gets break opportunities
BREAK_EVERY = 20


def templates_dir() -> Path:
    """The shipped templates: the repo's top-level `templates/` or the copy inside the wheel."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "templates"
        if (candidate / "record.html.j2").is_file():
            return candidate
    return Path(str(resources.files("bwvdisclose") / "_data" / "templates"))


def _template_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path (hidden files and links left out)."""
    found: dict[str, bytes] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if p.is_file() and not p.is_symlink():
            found[rel.as_posix()] = p.read_bytes()
    return found


@dataclass(frozen=True)
class TemplatesUsed:
    """The templates a record is rendered from: SHA-256 over the files, and whether they are
    the shipped ones (an override folder that changes nothing counts as shipped)."""

    sha256: str
    custom: bool


def templates_used(override: bool = True) -> TemplatesUsed:
    """SHA-256 over every template file a render can load: the override folder's files,
    then the shipped ones it does not replace (relative path, NUL, length, NUL, bytes)."""
    shipped = _template_files(templates_dir())
    folder = os.environ.get(OVERRIDE_ENV) if override else None
    files = {**shipped, **(_template_files(Path(folder)) if folder else {})}
    sha = _digest(files)
    return TemplatesUsed(sha, sha != _digest(shipped))


def _digest(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def environment() -> jinja2.Environment:
    """Templates from $BWVDISCLOSE_TEMPLATES first (if set), then the shipped ones."""
    loaders: list[jinja2.BaseLoader] = []
    override = os.environ.get(OVERRIDE_ENV)
    if override:
        loaders.append(jinja2.FileSystemLoader(override))
    loaders.append(jinja2.FileSystemLoader(templates_dir()))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )


def _shown(value: Any) -> Any:
    """Every output shows hidden characters as [U+XXXX]: a record reads as its log does.

    Text also gets a break opportunity inside very long unbroken runs (see `breakable`).
    """
    if isinstance(value, Markup):
        return Markup(visible(str(value)))
    if isinstance(value, str):
        return breakable(visible(value))
    return value


_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


def breakable(text: str) -> str:
    """Put a zero-width space every BREAK_EVERY characters into runs longer than LONG_RUN.

    A long unbroken word (a pasted URL, a hash chain, a held-down key) is laid out a
    character at a time and far more slowly than text with break opportunities; with
    them, layout time stays linear in the text's length. Hashes (64 characters) and
    ordinary words are untouched; the log keeps the text as given.
    """
    if len(text) <= LONG_RUN:
        return text
    return _LONG_RUN.sub(lambda m: _chop(m.group()), text)


def _chop(run: str) -> str:
    return "\u200b".join(run[i : i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY))


def render_html(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)
