"""The Jinja2 environment for records and reports: autoescaped, strict, override folder first."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from bwvdisclose.safetext import visible

OVERRIDE_ENV = "BWVDISCLOSE_TEMPLATES"


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
    """Every output shows hidden characters as [U+XXXX]: a record reads as its log does."""
    if isinstance(value, Markup):
        return Markup(visible(str(value)))
    if isinstance(value, str):
        return visible(value)
    return value


def render_html(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)
