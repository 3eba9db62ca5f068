"""The Jinja2 environment for records and reports: autoescaped, strict, override folder first."""

from __future__ import annotations

import os
import re
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
    if isinstance(value, Markup):  # a macro's output holds the breaks `breakable` put in
        return Markup(visible(str(value), keep=BREAK))
    if isinstance(value, str):
        return breakable(visible(value))
    return value


BREAK = "\u200b"  # ZERO WIDTH SPACE: a break opportunity, refused in text people give
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
    return BREAK.join(run[i : i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY))


def render_html(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)
