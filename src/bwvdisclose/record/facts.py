"""The facts a record's page states in a fixed block, and the check that it states them.

The shipped template prints `page_facts(state)` between a heading and a closing note
(`_facts.html.j2`): the case, the decision as the record words it, who decided, each
current sign-off's signer, and the log head. `verify FILE.pdf` computes the same lines
from the embedded log and requires every block on the page to hold exactly them; and
any line of the page that begins "Decision:" must name the outcome the log decided
(text quoted from the log or the policy aside). What else the page says is not checked:
a force's own template can still add misleading prose elsewhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable

from bwvdisclose.case import CaseState, Event
from bwvdisclose.explain import OUTCOME_TEXT
from bwvdisclose.safetext import strings, visible
from bwvdisclose.trust.signoff import ROLE_TEXT

TITLE = "Facts from the case log"
END = (
    "bwvdisclose verify compares these lines with the case log embedded in this record; "
    "a record whose page does not state them exactly fails."
)
_DECISION_LINE = re.compile(r"^\s*decision\s*:\s*(.*)$", re.I)


def outcome_text(outcome: str) -> str:
    """An outcome as the record words it ("Publish with redactions")."""
    return OUTCOME_TEXT.get(outcome, outcome).capitalize()


def page_facts(state: CaseState) -> list[str]:
    """The lines of the facts block, from the log alone (hidden characters written out)."""
    d = state.decision
    lines = [f"Case: {state.case_id}"]
    if d is None:
        lines.append("Decision: none recorded")
    else:
        lines.append(f"Decision: {outcome_text(d.outcome)}")
        lines.append(f"Decided by: {_who(d.actor.name, d.actor.number)}")
    for s in state.current_signoffs():
        role = ROLE_TEXT[s.role].lower()
        lines.append(f"Signed off as {role}: {_who(s.signer.name, s.signer.number)}")
    stale = len(state.stale_signoffs())
    if stale:
        lines.append(f"Earlier sign-offs, now stale: {stale}")
    lines.append(f"Log head: {state.head}")
    return [visible(line) for line in lines]


def _who(name: str, number: str) -> str:
    return f"{name} ({number})" if number else name


def page_text(pdf: bytes) -> str | None:
    """The PDF's text as pdftotext (poppler) extracts it; None when pdftotext is missing."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    run = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
    return run.stdout.decode("utf-8", "replace")


def squash(text: str) -> str:
    """Text as compared: NFKC, no whitespace and no zero-width spaces (line breaks vary)."""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    return "".join(text.split())


def page_problems(text: str, state: CaseState, quoted: Iterable[str]) -> list[str]:
    """What the page text (pdftotext's) misses or contradicts of what the log gives.

    `quoted` holds the texts the page may quote (the log's and the policy's strings): a
    "Decision:" line inside one of them is quotation, not the record's statement.
    """
    expected = page_facts(state)
    return _block_problems(text, expected) + _decision_problems(text, state, quoted)


def quotable(events: Iterable[Event], policy_files: Iterable[str]) -> list[str]:
    """Text a page may quote: every string in the log's events and the policy's files."""
    return [t for e in events for t in strings(e.model_dump(mode="json"))] + list(policy_files)


def _block_problems(text: str, expected: list[str]) -> list[str]:
    page, title, end = squash(text), squash(TITLE), squash(END)
    blocks = []
    start = page.find(title)
    while start >= 0:
        stop = page.find(end, start)
        if stop < 0:
            break
        blocks.append(page[start + len(title) : stop])
        start = page.find(title, stop)
    if not blocks:
        return [f"the page has no block of facts (“{TITLE}” … “{END[:40]}…”)"]
    want = "".join(squash(line) for line in expected)
    problems = []
    for block in blocks:
        if block == want:
            continue
        missing = [line for line in expected if squash(line) not in block]
        problems += [f"the page does not state “{line}”" for line in missing]
        if not missing:
            problems.append("the page's block of facts holds more than the log gives")
    return problems


def _decision_problems(text: str, state: CaseState, quoted: Iterable[str]) -> list[str]:
    decided = (
        outcome_text(state.decision.outcome) if state.decision is not None else "none recorded"
    )
    want = squash(decided).lower()
    corpus = "\0".join(squash(q) for q in quoted)
    problems = []
    for line in text.splitlines():
        match = _DECISION_LINE.match(unicodedata.normalize("NFKC", line).replace("\u200b", ""))
        if match is None:
            continue
        said = squash(match.group(1)).lower()
        if not said or (said.startswith(want) and not _longer_outcome(said, want)):
            continue
        if squash(line) in corpus:
            continue
        problems.append(
            f"the page says “{' '.join(line.split())}”; the log's decision is {decided.lower()}"
        )
    return problems


def _longer_outcome(said: str, want: str) -> bool:
    """`said` names a longer outcome that begins with the one wanted (publish … with redactions)."""
    return any(
        len(squash(t)) > len(want) and said.startswith(squash(t).lower())
        for t in OUTCOME_TEXT.values()
    )
