"""Answers: load an answers file and validate every answer against a policy.

An answers file maps question IDs to values, either `id: value` or
`id: {value: ..., rationale: ...}`. Validation is all-or-nothing: every problem is
reported at once, each naming the question and what it allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bwvdisclose.datafile import load_data
from bwvdisclose.errors import AnswersError
from bwvdisclose.frozen import frozen
from bwvdisclose.limits import LIMITS
from bwvdisclose.policy.models import AnswerValue, Policy, Question
from bwvdisclose.safetext import check_text

TRUE_WORDS = {"y", "yes", "true", "t", "1"}
FALSE_WORDS = {"n", "no", "false", "f", "0"}
MAX_TEXT = LIMITS["rationale"]  # answers of type text, and rationales


@frozen
class Answer:
    value: AnswerValue
    rationale: str = ""


def allowed(q: Question) -> str:
    if q.type == "bool":
        return "true or false"
    if q.type == "text":
        return "text"
    kinds = ", ".join(q.choices or [])
    return f"one of: {kinds}" if q.type == "choice" else f"a list of: {kinds} (may be empty)"


def check_value(q: Question, value: Any) -> AnswerValue:
    """Return `value` if it fits question `q`; otherwise raise ValueError saying what fits."""
    if q.type == "bool":
        if isinstance(value, bool):
            return value
    elif q.type == "text":
        if isinstance(value, str) and len(value) <= MAX_TEXT:
            check_text(value, "the answer")
            return value
    elif q.type == "choice":
        if isinstance(value, str) and value in (q.choices or []):
            return value
        if isinstance(value, str):
            raise ValueError(
                f"{value!r} is not allowed; expected {allowed(q)}{_hint(value, q.choices)}"
            )
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        bad = [v for v in value if v not in (q.choices or [])]
        if bad:
            raise ValueError(
                f"{bad[0]!r} is not allowed; expected {allowed(q)}{_hint(bad[0], q.choices)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("a choice is repeated")
        return sorted(value, key=(q.choices or []).index)
    raise ValueError(f"{_describe(value)} is not valid; expected {allowed(q)}")


def parse_text_value(q: Question, text: str) -> AnswerValue:
    """Parse a value typed on a command line or at a prompt (`yes`, `protest`, `a,b`)."""
    text = text.strip()
    if q.type == "bool":
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"{text!r} is not valid; expected yes or no")
    if q.type == "multi":
        items = [t.strip() for t in text.split(",") if t.strip()] if text not in ("", "-") else []
        return check_value(q, items)
    return check_value(q, text)


def validate_answers(policy: Policy, data: Any, name: str) -> dict[str, Answer]:
    """Check a parsed answers mapping against `policy`; all problems at once."""
    if data is None:
        raise AnswersError(f"{name}: no answers: the file is empty (write {{}} to give none)")
    if not isinstance(data, Mapping):
        raise AnswersError(f"{name}: expected a mapping of question IDs to answers")
    questions = policy.questions
    result: dict[str, Answer] = {}
    problems: list[str] = []
    for key, raw in data.items():
        if not isinstance(key, str):
            problems.append(f"{name}: {_short(repr(key))}: a question ID must be text")
            continue
        qid = key
        q = questions.get(qid)
        if q is None:
            hint = _hint(qid, list(questions))
            plain = qid.isprintable() and qid == qid.strip() and len(qid) <= 80
            shown = qid if plain else _short(repr(qid))
            problems.append(f"{name}: {shown}: unknown question{hint}")
            continue
        try:
            result[qid] = _one(q, raw)
        except ValueError as exc:
            problems.append(f"{name}: {qid}: {exc}")
    if problems:
        raise AnswersError("\n".join(problems))
    return result


def load_answers(path: Path, policy: Policy) -> dict[str, Answer]:
    """Read and validate an answers file (YAML, or JSON by its .json name)."""
    return validate_answers(policy, load_data(Path(path), "answers file"), str(path))


def values(answers: Mapping[str, Answer]) -> dict[str, AnswerValue]:
    return {k: a.value for k, a in answers.items()}


def _one(q: Question, raw: Any) -> Answer:
    if isinstance(raw, Mapping):
        extra = set(raw) - {"value", "rationale"}
        if extra or "value" not in raw:
            raise ValueError("expected {value: ..., rationale: ...}")
        rationale = raw.get("rationale") or ""
        if not isinstance(rationale, str) or len(rationale) > MAX_TEXT:
            raise ValueError(f"rationale must be text of at most {MAX_TEXT} characters")
        check_text(rationale, "the rationale")
        return Answer(value=check_value(q, raw["value"]), rationale=rationale)
    return Answer(value=check_value(q, raw))


def _hint(word: str, options: list[str] | None) -> str:
    import difflib  # only for a mistake; kept out of every start-up

    close = difflib.get_close_matches(word, options or [], n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _describe(value: Any) -> str:
    if value is None:
        return "an empty answer"
    return _short(repr(value))


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
