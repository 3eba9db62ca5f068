"""`criteria check`: lint a policy folder beyond what loading already enforces."""

from __future__ import annotations

import itertools
from pathlib import Path

from bwvdisclose.engine import holds
from bwvdisclose.errors import BwvError
from bwvdisclose.policy.examples import check_example, example_files, load_example
from bwvdisclose.policy.load import load_policy, walk
from bwvdisclose.policy.models import AnswerValue, Compare, Policy, Question

MAX_SEARCH = 4096


def lint(folder: Path) -> tuple[Policy, list[str], int]:
    """Load and lint `folder`; return the policy, the problems found and how many examples ran."""
    policy = load_policy(folder)
    problems = _wording_problems(policy) + _advice_problems(policy) + _reachability_problems(policy)
    files = example_files(folder)
    if not files:
        problems.append("examples/: no examples; every policy keeps its own")
    seen: dict[str, set[str]] = {k: set() for k in _result_names(policy)}
    for path in files:
        try:
            rec, wrong = check_example(policy, load_example(path))
        except BwvError as exc:
            problems.append(str(exc))
            continue
        problems += wrong
        if wrong:
            continue
        summary = rec.summary()
        seen["outcome"].add(rec.outcome)
        for key in ("exceptions_met", "blocked_by", "referrals", "conditions", "redactions"):
            seen[key].update(summary[key])
    for key, names in _result_names(policy).items():
        problems += [f"examples/: no example gives {key} {n}" for n in sorted(names - seen[key])]
    return policy, problems, len(files)


def _result_names(policy: Policy) -> dict[str, set[str]]:
    blocks = {s.block for s in policy.steps if s.block} | {r.id for r in policy.referrals}
    return {
        "outcome": {s.outcome for s in policy.steps if s.outcome} | {"refer", "incomplete"},
        "exceptions_met": {e.id for e in policy.exceptions},
        "blocked_by": blocks,
        "referrals": {r.id for r in policy.referrals},
        "conditions": {c.id for c in policy.conditions},
        "redactions": {r.id for r in policy.redactions},
    }


def _wording_problems(policy: Policy) -> list[str]:
    """Every question has help, and every choice a label: an officer never sees a bare ID."""
    problems = []
    for q in policy.questions.values():
        if not q.help.strip():
            problems.append(f"questions.{q.id}: no help (what it means, how to answer)")
        bare = [c for c in q.choices or [] if not q.choice_labels.get(c, "").strip()]
        if bare:
            problems.append(f"questions.{q.id}: choices without a label: {', '.join(bare)}")
    return problems


def _advice_problems(policy: Policy) -> list[str]:
    problems = []
    steps = [s for s in policy.steps if s.kind == "referrals"]
    for r in policy.referrals:
        q = policy.questions[r.advice]
        needed = {v for s in steps for v in (*s.block_on, *s.refer_on)}
        if q.type != "choice" or not needed <= set(q.choices or []):
            problems.append(f"referrals.{r.id}: advice {q.id} must be a choice of {sorted(needed)}")
    return problems


def _reachability_problems(policy: Policy) -> list[str]:
    """Every question can be asked: some answers make its `ask_when` hold."""
    problems = []
    for q in policy.questions.values():
        if q.ask_when is not None and not _satisfiable(policy, q):
            problems.append(f"questions.{q.id}: ask_when can never hold, so it is never asked")
    return problems


def _satisfiable(policy: Policy, q: Question) -> bool:
    assert q.ask_when is not None
    ids = sorted(_referenced(policy, q))
    domains = [_domain(policy.questions[i]) for i in ids]
    for n, combo in enumerate(itertools.product(*domains)):
        if n > MAX_SEARCH:
            return True  # too large to search: do not report a false problem
        if holds(policy, q.ask_when, dict(zip(ids, combo, strict=True))) is True:
            return True
    return False


def _referenced(policy: Policy, q: Question) -> set[str]:
    """Questions the ask_when depends on, following refs and nested ask_whens."""
    named = {f.id: f.when for f in policy.facts} | {
        f"exception.{e.id}": e.when for e in policy.exceptions
    }
    todo, seen, refs = [q.ask_when], set[str](), set[str]()
    while todo:
        cond = todo.pop()
        assert cond is not None
        for node in walk(cond):
            if isinstance(node, Compare) and node.q not in seen:
                seen.add(node.q)
                nested = policy.questions[node.q].ask_when
                if nested is not None:
                    todo.append(nested)
            elif hasattr(node, "ref") and node.ref not in refs:
                refs.add(node.ref)
                todo.append(named[node.ref])
    return seen


def _domain(q: Question) -> list[AnswerValue]:
    if q.type == "bool":
        return [True, False]
    if q.type == "choice":
        return list(q.choices or [])
    if q.type == "multi":
        singles: list[AnswerValue] = [[c] for c in q.choices or []]
        return [*singles, []]
    return [""]
