"""`load_policy`: read a policy folder, validate it, check its cross references, hash it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from bwvdisclose.datafile import MAX_BYTES, flatten_validation_error, load_data, parse_data
from bwvdisclose.errors import PolicyError
from bwvdisclose.policy import cache as policy_cache
from bwvdisclose.policy.models import (
    DECIDABLE_OUTCOMES,
    Always,
    Compare,
    Condition,
    Not,
    Policy,
    Question,
    Ref,
)
from bwvdisclose.policy.models import All as AllC
from bwvdisclose.policy.models import Any_ as AnyC
from bwvdisclose.policy.wording import with_wording, wording_digest

POLICY_FILE = "policy.yaml"
DEFAULT_POLICY = "met-bwv-2020-v2"  # version 2020.2; criteria/met-bwv-2020 holds 2020.1


def criteria_root() -> Path:
    """The criteria folder: the repo's top-level `criteria/` or the copy inside the wheel."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "criteria"
        if (candidate / DEFAULT_POLICY / POLICY_FILE).is_file():
            return candidate
    from importlib import resources  # only an installed wheel needs it (and its tempfile)

    packaged = resources.files("bwvdisclose") / "_data" / "criteria"
    return Path(str(packaged))


def default_policy_dir() -> Path:
    return criteria_root() / DEFAULT_POLICY


def policy_files(folder: Path) -> Iterator[Path]:
    """The files that make a policy version, in canonical (sorted relative path) order.

    A policy folder holds text files only, none of them a symbolic link: what is hashed
    and embedded in every record is exactly what is in the folder.
    """
    files = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if p.is_symlink():
            raise PolicyError(f"{p}: a symbolic link in a policy folder; copy the file instead")
        if p.is_file():
            files.append(p)
    yield from sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def _read_files(folder: Path) -> list[tuple[str, bytes]]:
    """(relative path, bytes) of every policy file, each checked to be UTF-8 text."""
    found = []
    for p in policy_files(folder):
        data = p.read_bytes()
        try:
            p.relative_to(folder).as_posix().encode("utf-8")
            data.decode("utf-8")
        except UnicodeError:
            raise PolicyError(f"{p}: not UTF-8 text; a policy folder holds text files") from None
        found.append((p.relative_to(folder).as_posix(), data))
    return found


def policy_sha256(folder: Path) -> str:
    """SHA-256 over every file of the folder: relative path, NUL, length, NUL, bytes."""
    return _digest(_read_files(folder))


def _digest(files: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0")
        digest.update(str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def policy_bundle(folder: Path) -> dict[str, object]:
    """Every file of the policy folder as text, keyed by relative path, with its hash."""
    found = _read_files(folder)
    return {"sha256": _digest(found), "files": {name: data.decode() for name, data in found}}


def bundle_sha256(files: dict[str, str]) -> str:
    """The policy hash recomputed from a bundle's files, as `policy_sha256` does on disk."""
    return _digest((name, files[name].encode("utf-8")) for name in sorted(files))


def load_policy(path: Path | None = None) -> Policy:
    """Load and check the policy in `path` (a folder or its policy.yaml), or the default."""
    folder = resolve_policy_folder(path)
    return _load_cached(folder, policy_sha256(folder), wording_digest(folder))


def resolve_policy_folder(path: Path | None) -> Path:
    """The policy folder `path` names (a folder or its policy.yaml); default: DEFAULT_POLICY."""
    if path is None:
        return default_policy_dir()
    path = Path(path)
    if path.is_file() and path.name == POLICY_FILE:
        return path.parent.resolve()
    if not path.is_dir():
        raise PolicyError(f"{path}: no such policy folder")
    if not (path / POLICY_FILE).is_file():
        raise PolicyError(f"{path}: not a policy folder (no {POLICY_FILE})")
    return path.resolve()


@cache
def _load_cached(folder: Path, sha: str, wording: str | None = None) -> Policy:
    key = sha if wording is None else hashlib.sha256(f"{sha}+{wording}".encode()).hexdigest()
    compiled = _from_cache(key, sha)
    if compiled is not None:
        return compiled
    policy = _load_source(folder, sha)
    if policy_cache.enabled():
        policy_cache.write_entry(key, policy)
    return policy


def _from_cache(key: str, sha: str | None = None) -> Policy | None:
    """The policy compiled earlier from this very folder (and wording), its seal checked; or None.

    `key` is the folder hash `sha` (by default the key itself), combined with the wording
    file's hash when there is one.
    """
    if not policy_cache.enabled():
        return None
    return policy_cache.read_entry(key, sha or key)


def policy_from_files(files: dict[str, str], where: str) -> Policy:
    """The policy in a bundle of its files (as a record embeds them), checked as a folder is.

    Its hash is the folder's (`bundle_sha256`); no wording sidecar is added (wording
    changes no rule). `where` names the bundle in error messages.
    """
    text = files.get(POLICY_FILE)
    if not isinstance(text, str):
        raise PolicyError(f"{where}: no {POLICY_FILE}")
    if len(text) > MAX_BYTES:
        raise PolicyError(f"{where}: {POLICY_FILE} is larger than {MAX_BYTES} bytes")
    data = parse_data(text, f"{where}: {POLICY_FILE}")
    return _compiled(f"{where}: {POLICY_FILE}", data, bundle_sha256(files))


def _load_source(folder: Path, sha: str) -> Policy:
    name = str(folder / POLICY_FILE)
    data = load_data(folder / POLICY_FILE, "policy file")
    if not isinstance(data, dict):
        raise PolicyError(f"{name}: expected a mapping at the top level")
    return _compiled(name, with_wording(folder, data, sha), sha)


def _compiled(name: str, data: object, sha: str) -> Policy:
    """Policy data validated, hashed as `sha` and cross-checked; PolicyError naming `name`."""
    if not isinstance(data, dict):
        raise PolicyError(f"{name}: expected a mapping at the top level")
    data = {**data, "sha256": sha}
    from pydantic import ValidationError  # only here: a cached policy needs no validator

    from bwvdisclose.policy import schema

    try:
        policy = schema.compile_policy(schema.Policy.model_validate(data))
    except ValidationError as exc:
        raise PolicyError(flatten_validation_error(name, exc)) from None
    problems = cross_reference_problems(policy)
    if problems:
        raise PolicyError("\n".join(f"{name}: {p}" for p in problems))
    return policy


def walk(cond: Condition) -> Iterator[Condition]:
    yield cond
    if isinstance(cond, AllC):
        for c in cond.all:
            yield from walk(c)
    elif isinstance(cond, AnyC):
        for c in cond.any:
            yield from walk(c)
    elif isinstance(cond, Not):
        yield from walk(cond.not_)


def rule_conditions(policy: Policy) -> Iterator[tuple[str, Condition]]:
    """Every condition in the policy, labelled by where it stands."""
    for s in policy.sections:
        for q in s.questions:
            if q.ask_when is not None:
                yield f"questions.{q.id}.ask_when", q.ask_when
    for f in policy.facts:
        yield f"facts.{f.id}", f.when
    for e in policy.exceptions:
        yield f"exceptions.{e.id}", e.when
    for r in policy.referrals:
        yield f"referrals.{r.id}", r.trigger
    for d in policy.redactions:
        yield f"redactions.{d.id}", d.when
    for c in policy.conditions:
        yield f"conditions.{c.id}", c.when
    for st in policy.steps:
        if st.when is not None:
            yield f"steps.{st.id}", st.when


def ref_names(policy: Policy) -> set[str]:
    return {f.id for f in policy.facts} | {f"exception.{e.id}" for e in policy.exceptions}


def cross_reference_problems(policy: Policy) -> list[str]:
    """Problems pydantic cannot see: unknown IDs, sources, refs and choices."""
    problems: list[str] = []
    questions = policy.questions
    seen: set[str] = set()
    for s in policy.sections:
        for q in s.questions:
            if q.id in seen:
                problems.append(f"question {q.id} is defined twice")
            seen.add(q.id)
    refs = ref_names(policy)
    for where, cond in rule_conditions(policy):
        for node in walk(cond):
            if isinstance(node, Ref) and node.ref not in refs:
                problems.append(f"{where}: unknown ref {node.ref!r}")
            if isinstance(node, Compare):
                problems.extend(f"{where}: {p}" for p in _compare_problems(node, questions))
    for item, cites in _cited(policy):
        problems.extend(
            f"{item}: cites unknown source {k}" for k in cites if k not in policy.sources
        )
    steps = {st.id for st in policy.steps}
    for rule in [*policy.redactions, *policy.conditions]:
        problems.extend(f"{rule.id}: unknown step {st}" for st in rule.steps if st not in steps)
    for r in policy.referrals:
        if r.advice not in questions:
            problems.append(f"referrals.{r.id}: advice question {r.advice} is not defined")
    return problems + _cycle_problems(policy) + _step_problems(policy)


def _dependencies(policy: Policy) -> dict[str, list[str]]:
    """What evaluating each ref and each question's `ask_when` evaluates in turn.

    Nodes are `ref NAME` and `question ID`: a ref evaluates its condition; testing a
    question first evaluates its `ask_when`. A cycle here would never end.
    """
    graph: dict[str, list[str]] = {}
    named = {f.id: f.when for f in policy.facts}
    named.update({f"exception.{e.id}": e.when for e in policy.exceptions})
    conditions = [(f"ref {name}", cond) for name, cond in named.items()]
    conditions += [
        (f"question {q.id}", q.ask_when) for q in policy.questions.values() if q.ask_when
    ]
    for node, cond in conditions:
        deps = graph.setdefault(node, [])
        for part in walk(cond):
            if isinstance(part, Ref) and part.ref in named:
                deps.append(f"ref {part.ref}")
            elif isinstance(part, Compare) and part.q in policy.questions:
                deps.append(f"question {part.q}")
    return graph


def _cycle_problems(policy: Policy) -> list[str]:
    """Each cycle of refs and ask_whens, once, as `a -> b -> a`."""
    graph = _dependencies(policy)
    done: set[str] = set()
    problems: dict[frozenset[str], str] = {}
    for start in graph:
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        on_path: set[str] = set()
        while stack:
            node, index = stack.pop()
            if index == 0:
                if node in done:
                    continue
                if node in on_path:
                    loop = [*path[path.index(node) :], node]
                    text = " -> ".join(loop)
                    problems.setdefault(frozenset(loop), f"a cycle that never ends: {text}")
                    continue
                path.append(node)
                on_path.add(node)
            deps = graph.get(node, [])
            if index < len(deps):
                stack.append((node, index + 1))
                stack.append((deps[index], 0))
            else:
                path.pop()
                on_path.discard(node)
                done.add(node)
    return list(problems.values())


def _step_problems(policy: Policy) -> list[str]:
    """The last step always decides; no rule decides `incomplete`; the decision maker signs."""
    problems = []
    last = policy.steps[-1]
    if last.kind != "rule" or not isinstance(last.when, Always):
        problems.append(
            f"steps.{last.id}: the last step must always decide (when: {{always: true}})"
        )
    problems += [
        f"steps.{st.id}: a step cannot decide incomplete (that is for missing answers)"
        for st in policy.steps
        if st.kind == "rule" and st.outcome == "incomplete"
    ]
    for outcome in DECIDABLE_OUTCOMES:
        if "decision_maker" not in policy.signoffs.get(outcome, []):  # type: ignore[call-overload]
            problems.append(f"signoffs.{outcome}: must include decision_maker")
    return problems


def _compare_problems(node: Compare, questions: dict[str, Question]) -> list[str]:
    q = questions.get(node.q)
    if q is None:
        return [f"unknown question {node.q}"]
    values: list[object] = [v for v in (node.eq, node.ne, node.contains) if v is not None]
    values += node.in_ or []
    if q.type == "bool":
        bad = [v for v in values if not isinstance(v, bool)]
    elif q.type in ("choice", "multi"):
        bad = [v for v in values if v not in (q.choices or [])]
    else:
        bad = []
    if node.contains is not None and q.type != "multi":
        return [f"`contains` needs a multi question, {node.q} is {q.type}"]
    return [f"{node.q} cannot be {v!r}" for v in bad]


def _cited(policy: Policy) -> Iterator[tuple[str, list[str]]]:
    for s in policy.sections:
        yield f"sections.{s.id}", s.cites
        for q in s.questions:
            yield f"questions.{q.id}", q.cites
    for group, items in (
        ("facts", policy.facts),
        ("exceptions", policy.exceptions),
        ("referrals", policy.referrals),
        ("redactions", policy.redactions),
        ("conditions", policy.conditions),
        ("steps", policy.steps),
    ):
        for it in items:
            yield f"{group}.{it.id}", it.cites
