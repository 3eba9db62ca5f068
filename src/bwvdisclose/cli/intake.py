"""The intake `new` asks for: each prompt re-asks on bad input, and nothing typed is lost.

Dates are read as a UK officer writes them (`03/07/2026 18:40` is 3 July) or in ISO
form, in UK local time unless an offset is given. Every value typed is kept in a draft
(0600, in the user's state folder, never in the repository) until the case is opened,
so Ctrl-C or a closed terminal loses nothing: the next `new` offers the draft's values.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bwvdisclose.answers import MAX_TEXT
from bwvdisclose.localtime import parse_uk_time
from bwvdisclose.safetext import hidden_char

EXAMPLE = "03/07/2026 18:40 or 2026-07-03T18:40"
FIELDS = ("incident_ref", "occurred", "location", "clips")


def check_field(text: str, what: str) -> str:
    """A required one-line text field: not empty, not too long, no hidden characters."""
    text = text.strip()
    if not text:
        raise ValueError(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what} is longer than {MAX_TEXT} characters")
    problem = hidden_char(text)
    if problem:
        raise ValueError(
            f"{what} holds a control character or a byte that is not UTF-8 ({problem})"
        )
    return text


def split_clips(text: str) -> list[str]:
    clips = [c.strip() for c in text.split(",") if c.strip()]
    for clip in clips:
        check_field(clip, "a clip reference")
    return clips


class Draft:
    """What has been typed so far for one store, kept until the case is opened."""

    def __init__(self, store: str) -> None:
        from bwvdisclose.store.postgres.connect import display_url, is_postgres_url

        where = display_url(store) if is_postgres_url(store) else str(Path(store).resolve())
        key = hashlib.sha256(where.encode()).hexdigest()[:16]
        self.path = state_dir() / f"intake-draft-{key}.json"
        self.values: dict[str, Any] = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if k in FIELDS} if isinstance(data, dict) else {}

    def keep(self, field: str, value: Any) -> None:
        self.values[field] = value
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.values, f, ensure_ascii=False)
        os.replace(tmp, self.path)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def state_dir() -> Path:
    """`$XDG_STATE_HOME/bwvdisclose` (default `~/.local/state/bwvdisclose`)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "bwvdisclose"


def ask(prompt: str, check: Callable[[str], Any], default: str | None = None) -> Any:
    """Ask until `check` accepts the reply; its ValueError is shown and the question repeated."""
    while True:
        reply = str(click.prompt(prompt, default=default or "", show_default=bool(default)))
        try:
            return check(reply)
        except ValueError as exc:
            click.secho(f"  {exc}; please try again.", fg="yellow", err=True)


def ask_intake(draft: Draft, given: dict[str, Any]) -> dict[str, Any]:
    """The intake fields not `given` on the command line, asked in turn and kept in the draft."""
    if draft.values and any(k not in given for k in draft.values):
        click.echo("Resuming the intake you started earlier: Enter keeps the value shown.")
    got = dict(given)
    steps: list[tuple[str, str, Callable[[str], Any]]] = [
        ("incident_ref", "Incident reference", lambda t: check_field(t, "the incident reference")),
        ("occurred", f"When did it happen ({EXAMPLE})", _occurred_text),
        ("location", "Location", lambda t: check_field(t, "the location")),
    ]
    for field, prompt, check in steps:
        if field not in got:
            got[field] = ask(prompt, check, draft.values.get(field))
            draft.keep(field, got[field])
    if "clips" not in got:
        previous = ", ".join(draft.values.get("clips") or []) or None
        got["clips"] = ask("BWV clip references (comma separated, blank for none)", split_clips,
                           previous)  # fmt: skip
        draft.keep("clips", got["clips"])
    return got


def _occurred_text(text: str) -> str:
    """Check the date and keep it as typed (the draft holds text; `new` parses it again)."""
    parse_uk_time(text)
    return text.strip()
