"""The console every command prints through: fitted to a terminal, whole lines in a pipe."""

from __future__ import annotations

import sys

from rich.console import Console

# In a pipe or a file, lines are as long as their content: no word is broken and no
# indentation lost to wrapping, so `grep`, `cut` and `less -S` see whole records.
PIPE_WIDTH = 10_000


def console() -> Console:
    """Colour and wrapping at a terminal; plain, unwrapped text when not a terminal."""
    if sys.stdout.isatty():
        return Console(highlight=False, soft_wrap=False)
    return Console(highlight=False, soft_wrap=True, width=PIPE_WIDTH, no_color=True)
