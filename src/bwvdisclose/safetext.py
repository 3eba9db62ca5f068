"""Text a person gave us: refuse characters that hide or rearrange what is shown.

Control characters (other than tab and newlines), bidirectional embedding, override
and isolate controls (the "Trojan Source" characters, which make text display in a
different order from the order it is stored in) and lone surrogates (bytes that are
not UTF-8) are refused on input, and shown as `[U+XXXX]` wherever old text holding
them is displayed, so a record never reads differently from its log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def hidden_char(text: str) -> str | None:
    """`U+XXXX at position N` for the first character that must not be stored, or None."""
    found = _HIDDEN.search(text)
    if found is None:
        return None
    return f"U+{ord(found.group()):04X} at position {found.start() + 1}"


def check_text(text: str, what: str) -> None:
    """Raise ValueError naming `what` if `text` holds a character we refuse."""
    problem = hidden_char(text)
    if problem:
        raise ValueError(f"{what} holds a control or direction-changing character ({problem})")


def visible(text: str) -> str:
    """The text with every refused character written out as [U+XXXX]."""
    return _HIDDEN.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def strings(data: Any) -> Iterator[str]:
    """Every string in nested dicts (keys too), lists and tuples."""
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
