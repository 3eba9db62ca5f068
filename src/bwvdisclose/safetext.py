"""Text a person gave us: refuse characters that hide or rearrange what is shown.

The rule, by Unicode general category (so it is complete, not a list of known tricks):

- Cc, control characters: escape sequences, NUL, carriage return (which sends the
  cursor back to overwrite a line), DEL and the C1 controls. Tab and line feed are kept:
  free text may have several lines.
- Cf, format characters: every bidirectional control (the embeddings, overrides and
  isolates U+202A-202E and U+2066-2069 of "Trojan Source", the marks U+200E LRM,
  U+200F RLM and U+061C ALM), zero-width space, word joiner, soft hyphen, BOM,
  invisible operators, tag characters: each makes text display other than it reads,
  or hides part of it. Kept: U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER,
  which Persian, the Indic scripts and emoji need to be written at all and which
  neither reorder nor hide text.
- Zl and Zp, U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks that
  some viewers show and others do not, so two readers see different lines.
- Cs, lone surrogates: bytes that were not UTF-8.

Such text is refused on input (`hidden_char`, `check_text`), and anywhere old text
holding one is shown (terminal, JSON, record, error messages) it is written out as
`[U+XXXX]` (`visible`), so a record never reads differently from its log.

`_HIDDEN` is that set written out for the Unicode version of this Python (14.0 for
3.11); tests/test_safetext.py checks it against `unicodedata` character by character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

WHAT = "a control, invisible or direction-changing character"  # how messages name one
CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
KEPT = frozenset("\t\n\u200c\u200d")

_HIDDEN = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # Cc, but tab and line feed
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "]"
)


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
        raise ValueError(f"{what} holds {WHAT} ({problem})")


def visible(text: str, keep: str = "") -> str:
    """The text with every refused character written out as [U+XXXX] (but those in `keep`:
    the record's own break opportunities, put into text already made visible)."""
    return _HIDDEN.sub(
        lambda m: m.group() if m.group() in keep else f"[U+{ord(m.group()):04X}]", text
    )


def visible_data(data: Any) -> Any:
    """`data` (nested dicts, lists, tuples) with `visible` applied to every string, keys too:
    for JSON output, where json.dumps would write a control character as an escape that
    gives the raw character back to whoever reads the JSON."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {visible_data(k): visible_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [visible_data(item) for item in data]
    return data


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
