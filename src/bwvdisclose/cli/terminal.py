"""The console every command prints through: fitted to a terminal, whole lines in a pipe."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import click
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from bwvdisclose.safetext import visible

# In a pipe or a file, lines are as long as their content: no word is broken and no
# indentation lost to wrapping, so `grep`, `cut` and `less -S` see whole records.
PIPE_WIDTH = 10_000


def console() -> Console:
    """Colour and wrapping at a terminal; plain, unwrapped text when not a terminal."""
    if sys.stdout.isatty():
        return SafeConsole(highlight=False, soft_wrap=False)
    return SafeConsole(highlight=False, soft_wrap=True, width=PIPE_WIDTH, no_color=True)


class SafeConsole(Console):
    """A console that shows every control, invisible or direction-changing character it
    prints as [U+XXXX] (text read from a store, a record or a certificate could hold
    escape sequences that clear the screen or retitle the terminal). Rich's own colour
    and cursor codes are added after this, so they still work."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        # Before rich reads the text: it drops some controls (CR) and splits lines at
        # others (U+2028, U+2029, U+0085), so they would never reach _render_buffer.
        return super().render_str(visible(text), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        clean = (
            seg if seg.control else Segment(visible(seg.text), seg.style, seg.control)
            for seg in buffer
        )
        return super()._render_buffer(clean)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo for text that may hold what a store, record or certificate said."""
    click.echo(visible(text), err=err, nl=nl)
