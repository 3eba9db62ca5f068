"""Wording added to a frozen policy version: help and choice labels, nothing else.

A policy version, once approved and named by stored cases, stays byte for byte (its
folder hash is in every case and record). Wording written later, so that an officer
never meets a question without help or a bare choice ID, lives beside the folder in
`NAME.wording.yaml`, as the approval lives in `NAME.approval.json`:

    applies_to: {policy_id: met-bwv-2020, version: "2020.1", sha256: <folder hash>}
    questions:
      legal.advice:
        help: Record the advice received ...
        choice_labels: {pending: Pending (advice requested, not yet received)}

It is merged into the policy's data before validation, under these rules, each a
`PolicyError` when broken: it applies to exactly the folder hash it names (an edited
folder no longer matches its wording); it names only questions and choices the policy
has; it only fills in help that is empty and labels that are missing, never replacing
what the frozen version says; and it holds nothing but `help` and `choice_labels`. It
cannot change a rule, so the outcome of every case is the same with or without it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bwvdisclose.datafile import load_data, read_text
from bwvdisclose.errors import PolicyError

SUFFIX = ".wording.yaml"
MAX_TEXT = 2000  # one help text or label, in characters
ALLOWED = {"help", "choice_labels"}


def wording_file(folder: Path) -> Path:
    """Where the wording for the policy folder `folder` lives: beside it."""
    return folder.parent / f"{folder.name}{SUFFIX}"


def wording_digest(folder: Path) -> str | None:
    """SHA-256 of the folder's wording file, or None when it has none."""
    path = wording_file(folder)
    if not path.is_file():
        return None
    return hashlib.sha256(read_text(path, "wording file").encode("utf-8")).hexdigest()


def with_wording(folder: Path, data: dict[str, Any], sha256: str) -> dict[str, Any]:
    """The policy data `data` (read from `folder`, hashing to `sha256`) with its wording added.

    Returns `data` itself when the folder has no wording file; otherwise a copy.
    """
    path = wording_file(folder)
    if not path.is_file():
        return data
    name = str(path)
    wording = load_data(path, "wording file")
    if not isinstance(wording, dict) or set(wording) != {"applies_to", "questions"}:
        raise PolicyError(f"{name}: expected the keys applies_to and questions, and no others")
    _check_applies_to(name, wording["applies_to"], data, sha256)
    added = wording["questions"]
    if not isinstance(added, dict):
        raise PolicyError(f"{name}: questions: expected a mapping of question IDs")
    sections = [dict(s) for s in data.get("sections", [])]
    found: dict[str, dict[str, Any]] = {}
    for section in sections:
        section["questions"] = [dict(q) for q in section.get("questions", [])]
        found.update({q.get("id"): q for q in section["questions"]})
    for qid, words in added.items():
        question = found.get(qid)
        if question is None:
            raise PolicyError(f"{name}: questions.{qid}: the policy has no such question")
        _merge(f"{name}: questions.{qid}", question, words)
    return {**data, "sections": sections}


def _check_applies_to(name: str, applies: Any, data: dict[str, Any], sha256: str) -> None:
    if not isinstance(applies, dict) or set(applies) != {"policy_id", "version", "sha256"}:
        raise PolicyError(f"{name}: applies_to: expected policy_id, version and sha256")
    if applies["sha256"] != sha256:
        raise PolicyError(
            f"{name}: written for the policy folder with SHA-256 {applies['sha256']}, but the "
            f"folder now hashes to {sha256}: a frozen version was edited, or the wording "
            "belongs to another version"
        )
    if (applies["policy_id"], str(applies["version"])) != (data.get("id"), data.get("version")):
        raise PolicyError(
            f"{name}: written for {applies['policy_id']} {applies['version']}, "
            f"but the folder holds {data.get('id')} {data.get('version')}"
        )


def _merge(where: str, question: dict[str, Any], words: Any) -> None:
    if not isinstance(words, dict) or not words or not set(words) <= ALLOWED:
        raise PolicyError(f"{where}: wording holds only help and choice_labels")
    text = words.get("help")
    if text is not None:
        _check_text(f"{where}.help", text)
        if str(question.get("help") or "").strip():
            raise PolicyError(f"{where}.help: the policy already has help; it is not replaced")
        question["help"] = text
    labels = words.get("choice_labels")
    if labels is not None:
        if not isinstance(labels, dict):
            raise PolicyError(f"{where}.choice_labels: expected a mapping of choice to label")
        choices = question.get("choices") or []
        have = dict(question.get("choice_labels") or {})
        for choice, label in labels.items():
            if choice not in choices:
                raise PolicyError(f"{where}.choice_labels.{choice}: not a choice of the question")
            _check_text(f"{where}.choice_labels.{choice}", label)
            if str(have.get(choice, "")).strip():
                raise PolicyError(
                    f"{where}.choice_labels.{choice}: the policy already labels it; "
                    "it is not replaced"
                )
            have[choice] = label
        question["choice_labels"] = have


def _check_text(where: str, text: Any) -> None:
    if not isinstance(text, str) or not text.strip():
        raise PolicyError(f"{where}: expected text")
    if len(text) > MAX_TEXT:
        raise PolicyError(f"{where}: longer than {MAX_TEXT} characters")
