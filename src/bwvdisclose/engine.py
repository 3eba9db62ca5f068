"""The pure policy engine: `evaluate(policy, answers) -> Recommendation`.

Three-valued (Kleene) logic over answers: a condition is true, false or unknown. An
unknown that could decide the outcome makes the result `incomplete`, listing every
unanswered question that could decide it; the engine never guesses. Nothing here
does I/O or knows any question of a particular policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from bwvdisclose.frozen import as_data
from bwvdisclose.policy.models import (
    All,
    Always,
    AnswerValue,
    Any_,
    Compare,
    Condition,
    Not,
    OutcomeRule,
    Policy,
    PolicyRef,
    Question,
    Ref,
    Step,
)
from bwvdisclose.recommendation import AlsoApplies, Recommendation, TraceAnswer, TraceItem

Answers = Mapping[str, AnswerValue]
NONE: frozenset[str] = frozenset()


class Tri(NamedTuple):
    """A three-valued result with the answers that made it so and what is missing."""

    value: bool | None
    support: frozenset[str] = NONE
    missing: frozenset[str] = NONE


class _Context:
    """One evaluation: the policy, the answers, and memoised refs and applicability."""

    def __init__(self, policy: Policy, answers: Answers, brief: bool = False) -> None:
        self.policy = policy
        self.answers = answers
        self.brief = brief  # outcome and missing only: stop early, keep no trace
        self.questions = policy.questions
        self.named = policy.named_conditions
        self.memo: dict[str, Tri] = {}
        self.applicable: dict[str, Tri] = {}

    def ref(self, name: str) -> Tri:
        if name not in self.memo:
            self.memo[name] = self.eval(self.named[name])
        return self.memo[name]

    def asked(self, q: Question) -> Tri:
        """Whether question `q` applies (its `ask_when`), memoised."""
        if q.id not in self.applicable:
            self.applicable[q.id] = Tri(True) if q.ask_when is None else self.eval(q.ask_when)
        return self.applicable[q.id]

    def value_of(self, qid: str) -> tuple[AnswerValue | None, bool]:
        """The answer (or the question's default) and whether it was actually given."""
        if qid in self.answers:
            return self.answers[qid], True
        return self.questions[qid].default, False

    def eval(self, cond: Condition) -> Tri:
        if isinstance(cond, Compare):
            return self.compare(cond)
        if isinstance(cond, Ref):
            return self.ref(cond.ref)
        if isinstance(cond, All):
            return _all(self.parts(cond.all, False))
        if isinstance(cond, Any_):
            return _any(self.parts(cond.any, True))
        if isinstance(cond, Not):
            inner = self.eval(cond.not_)
            flipped = None if inner.value is None else not inner.value
            return Tri(flipped, inner.support, inner.missing)
        if isinstance(cond, Always):
            return Tri(True)
        raise TypeError(f"unknown condition {cond!r}")  # pragma: no cover

    def parts(self, conds: list[Condition], decisive: bool) -> list[Tri]:
        """Each part's result; when brief, stop at the first part whose value decides.

        A false part decides `all` and a true part `any`, whatever the others are; the
        value and what is missing come out the same, only the supporting answers differ.
        """
        if not self.brief:
            return [self.eval(c) for c in conds]
        found = []
        for c in conds:
            found.append(self.eval(c))
            if found[-1].value is decisive:
                return found[-1:]
        return found

    def compare(self, cond: Compare) -> Tri:
        q = self.questions[cond.q]
        asked = self.asked(q)
        if asked.value is False:
            # Not applicable: the answer plays no part, and the test does not hold.
            return Tri(False, asked.support)
        value, given = self.value_of(q.id)
        if value is None:
            return Tri(None, missing=asked.missing | {q.id})
        held = _test(cond, value)
        support = frozenset({q.id}) if given else asked.support
        if asked.value is None and held:
            # It would hold if the question applies, which is not yet known.
            return Tri(None, support, asked.missing)
        return Tri(held, support)


def _test(cond: Compare, value: AnswerValue) -> bool:
    if cond.eq is not None:
        return value == cond.eq
    if cond.ne is not None:
        return value != cond.ne
    if cond.in_ is not None:
        return value in cond.in_
    if cond.contains is not None:
        return isinstance(value, list) and cond.contains in value
    return bool(value) == cond.nonempty


def _all(parts: list[Tri]) -> Tri:
    false = [p for p in parts if p.value is False]
    if false:
        return Tri(False, frozenset().union(*(p.support for p in false)))
    unknown = [p for p in parts if p.value is None]
    support = frozenset().union(*(p.support for p in parts))
    if unknown:
        return Tri(None, support, frozenset().union(*(p.missing for p in unknown)))
    return Tri(True, support)


def _any(parts: list[Tri]) -> Tri:
    true = [p for p in parts if p.value is True]
    if true:
        return Tri(True, frozenset().union(*(p.support for p in true)))
    unknown = [p for p in parts if p.value is None]
    support = frozenset().union(*(p.support for p in parts))
    if unknown:
        return Tri(None, support, frozenset().union(*(p.missing for p in unknown)))
    return Tri(False, support)


class _Decision:
    """What the steps concluded: a step, an outcome, blocks and referrals, or what is missing."""

    def __init__(self) -> None:
        self.step: Step | None = None
        self.outcome = "incomplete"
        self.blocked_by: list[str] = []
        self.referrals: list[str] = []
        self.pending: list[str] = []
        self.missing: set[str] = set()
        self.possible: set[tuple[str, str]] = set()
        self.trace: list[_Raw] = []
        self.redactions: list[str] = []
        self.conditions: list[str] = []


class _Raw(NamedTuple):
    """A trace entry before it becomes a TraceItem (only when an explanation is wanted)."""

    kind: str
    id: str
    title: str
    result: Tri
    cites: list[str]
    advice: AnswerValue | None = None
    applies: bool = True
    reached: bool = True
    block: str | None = None


def holds(policy: Policy, cond: Condition, answers: Answers) -> bool | None:
    """Whether one condition holds (None: not yet known) under `answers`."""
    return _Context(policy, answers).eval(cond).value


def evaluate(policy: Policy, answers: Answers, explain: bool = True) -> Recommendation:
    """Evaluate `answers` under `policy`: the recommendation, explained rule by rule.

    With `explain=False` the trace is left empty (what-if searches and bulk replays).
    """
    ctx = _Context(policy, answers)
    decision = _settle(ctx)
    complete = decision.outcome != "incomplete"
    beyond = _beyond(ctx, decision) if complete else []
    also = AlsoApplies(
        blocked_by=sorted({r.id if r.kind == "referral" else r.block for r in beyond if r.block}),
        referrals=sorted(r.id for r in beyond if r.kind == "referral" and r.result.value),
    )
    trace: list[TraceItem] = []
    if explain:
        raw = _exception_trace(ctx) + _fact_trace(ctx) + decision.trace + beyond
        raw += _rule_trace(ctx, "redaction", policy.redactions, decision)
        raw += _rule_trace(ctx, "condition", policy.conditions, decision)
        trace = [_item(ctx, r) for r in raw]
    return Recommendation(**_result(ctx, decision), would_also_apply=also, trace=trace)


def summarise(policy: Policy, answers: Answers) -> dict[str, Any]:
    """`evaluate(policy, answers).summary()`, without the trace or what would also apply.

    For checking logged recommendations (conformance.py): every case of a store, each
    recommendation it logged. The same `_settle` and `_result` as `evaluate`, so the two
    cannot differ.
    """
    ctx = _Context(policy, answers)
    summary = _result(ctx, _settle(ctx))  # fresh lists of strings, as summary() copies them
    summary["policy"] = as_data(summary["policy"])
    return summary


def _result(ctx: _Context, decision: _Decision) -> dict[str, Any]:
    """The fields of a Recommendation a case event keeps (all but the trace and the rest)."""
    policy = ctx.policy
    met = [e.id for e in policy.exceptions if ctx.ref(f"exception.{e.id}").value is True]
    complete = decision.outcome != "incomplete"
    return {
        "outcome": decision.outcome,
        "decided_by": decision.step.id if decision.step and complete else None,
        "exceptions_met": sorted(met),
        "blocked_by": sorted(decision.blocked_by),
        "referrals": sorted(decision.pending),
        "referrals_triggered": sorted(decision.referrals),
        "conditions": sorted(decision.conditions) if complete else [],
        "redactions": sorted(decision.redactions) if complete else [],
        "missing": sorted(decision.missing),
        "policy": PolicyRef.of(policy),
    }


def outcome_of(
    policy: Policy, answers: Answers, after_steps: Callable[[], object] | None = None
) -> tuple[str, list[str]]:
    """Just the outcome and what is missing: what `evaluate` says, without building it.

    For what-if trials, which try hundreds of answer sets and need no more than this.
    `evaluate` settles its decision through the same `_settle`, so the two cannot differ.
    `after_steps` is called once the steps have decided, before the redactions and
    conditions are looked at (the what-if search notes there which answers the steps read).
    """
    decision = _settle(_Context(policy, answers, brief=True), after_steps)
    return decision.outcome, sorted(decision.missing)


def other_outcome(policy: Policy, answers: Answers, outcome: str) -> str | None:
    """The outcome `evaluate` gives, if it is decided and not `outcome`; else None.

    Cheaper than `outcome_of` for a search that wants only results that differ: when the
    steps alone give `outcome`, or leave the case incomplete, the redactions and
    conditions (which can only add what is missing) need not be looked at.
    """
    ctx = _Context(policy, answers, brief=True)
    decision = _decide(ctx)
    if decision.missing or decision.outcome == outcome:
        return None
    _addenda(ctx, decision)
    return None if decision.missing else decision.outcome


def _settle(ctx: _Context, after_steps: Callable[[], object] | None = None) -> _Decision:
    """Run the steps, then the redactions and conditions; `incomplete` if anything is missing."""
    decision = _decide(ctx)
    if after_steps is not None:
        after_steps()
    decision.redactions, decision.conditions = _addenda(ctx, decision)
    if decision.missing:
        decision.outcome = "incomplete"
        decision.blocked_by = []
    return decision


def _beyond(ctx: _Context, d: _Decision) -> list[_Raw]:
    """Steps that block, and referrals, the evaluation never reached: would they apply too?

    A do-not-publish decided early must still say that the IOPC is investigating or
    that masking was judged not feasible. Each is traced with `reached=False`; the
    `block` of a blocking step (or the referral's own ID, on a blocking advice) is set
    only when its rule holds on the answers given.
    """
    steps = ctx.policy.steps
    start = steps.index(d.step) + 1 if d.step is not None else len(steps)
    found: list[_Raw] = []
    for step in steps[start:]:
        if step.kind == "referrals":
            for r in ctx.policy.referrals:
                trigger = ctx.eval(r.trigger)
                advice, _ = ctx.value_of(r.advice)
                blocks = trigger.value is True and advice in step.block_on
                found.append(
                    _Raw(
                        "referral",
                        r.id,
                        r.title,
                        trigger,
                        r.cites,
                        advice=advice,
                        reached=False,
                        block=r.id if blocks else None,
                    )
                )
        elif step.block and step.when is not None:
            result = ctx.eval(step.when)
            block = step.block if result.value is True else None
            found.append(
                _Raw("step", step.id, step.title, result, step.cites, reached=False, block=block)
            )
    return found


def conditions_on(
    policy: Policy, answers: Answers, outcome: str, step: str | None
) -> tuple[list[str], list[str]]:
    """The conditions that hold for `outcome` reached at `step`, and those not yet known.

    For a decision that departs from the recommendation `step` is None: only conditions
    tied to no particular step can apply. Returns (held, unknown), each sorted.
    """
    ctx = _Context(policy, answers)
    held, unknown = [], []
    for rule in policy.conditions:
        if outcome not in rule.applies_to or (rule.steps and step not in rule.steps):
            continue
        value = ctx.eval(rule.when).value
        if value is True:
            held.append(rule.id)
        elif value is None:
            unknown.append(rule.id)
    return sorted(held), sorted(unknown)


def _decide(ctx: _Context) -> _Decision:
    d = _Decision()
    for step in ctx.policy.steps:
        if step.kind == "referrals":
            held = _referrals_step(ctx, step, d)
        else:
            assert step.when is not None and step.outcome is not None
            result = ctx.eval(step.when)
            held = result.value
            if not ctx.brief:
                d.trace.append(_Raw("step", step.id, step.title, result, step.cites))
            if held is not False:
                d.possible.add((step.outcome, step.id))
            if held is None:
                d.missing |= result.missing
            elif held:
                d.outcome = step.outcome
                if step.block:
                    d.blocked_by = [step.block]
        if held is True:
            d.step = step
            return d
    return d  # pragma: no cover - a well-formed policy ends with an `always` step


def _referrals_step(ctx: _Context, step: Step, d: _Decision) -> bool | None:
    """Consult every triggered referral: an objection blocks, a pending advice refers.

    A referral whose trigger is not yet known matters only if its advice could block or
    refer: one whose advice is already `no_objection` changes nothing either way. When
    the step is sure to decide (an objection, or advice awaited) but not yet which
    referrals block or refer, it still decides here, and what is missing is listed.
    """
    blocking, pending = [], []
    may_block: set[str] = set()  # questions that could add a blocking referral
    may_refer: set[str] = set()  # questions that could add an awaited referral
    for r in ctx.policy.referrals:
        trigger = ctx.eval(r.trigger)
        if ctx.brief and trigger.value is False:
            continue  # plays no part; only the trace would show it
        advice, _ = ctx.value_of(r.advice)
        support = trigger.support | ({r.advice} if r.advice in ctx.answers else NONE)
        held = trigger
        if trigger.value is True:
            d.referrals.append(r.id)
            held = Tri(True, support)
            if advice is None:
                may_block.add(r.advice)
                may_refer.add(r.advice)
            elif advice in step.block_on:
                blocking.append(r.id)
            elif advice in step.refer_on:
                pending.append(r.id)
        elif trigger.value is None:
            if advice is None or advice in step.block_on:
                may_block |= trigger.missing
            if advice is None or advice in step.refer_on:
                may_refer |= trigger.missing
        if not ctx.brief:
            d.trace.append(_Raw("referral", r.id, r.title, held, r.cites, advice=advice))
    d.pending = pending
    if blocking:
        d.outcome, d.blocked_by = step.block_outcome, blocking
        d.missing |= may_block
        d.possible.add((step.block_outcome, step.id))
        return True
    if may_block:
        d.missing |= may_block | may_refer
        d.possible |= {(step.block_outcome, step.id), ("refer", step.id)}
        return True if pending else None
    if pending:
        d.outcome = "refer"
        d.missing |= may_refer
        d.possible.add(("refer", step.id))
        return True
    if may_refer:
        d.missing |= may_refer
        d.possible.add(("refer", step.id))
        return None
    return False


def _addenda(ctx: _Context, d: _Decision) -> tuple[list[str], list[str]]:
    """Redactions and conditions for the decided outcome; add what is missing to decide them."""
    possible = d.possible if d.missing else {(d.outcome, d.step.id if d.step else "")}
    found: dict[str, list[str]] = {"redaction": [], "condition": []}
    for kind, rules in (("redaction", ctx.policy.redactions), ("condition", ctx.policy.conditions)):
        for rule in rules:
            if not any(_applies(rule, o, s) for o, s in possible):
                continue
            result = ctx.eval(rule.when)
            if result.value is None:
                d.missing |= result.missing
            elif result.value:
                found[kind].append(rule.id)
    return found["redaction"], found["condition"]


def _applies(rule: OutcomeRule, outcome: str, step: str) -> bool:
    return outcome in rule.applies_to and (not rule.steps or step in rule.steps)


def _exception_trace(ctx: _Context) -> list[_Raw]:
    return [
        _Raw("exception", e.id, e.title, ctx.ref(f"exception.{e.id}"), e.cites)
        for e in ctx.policy.exceptions
    ]


def _fact_trace(ctx: _Context) -> list[_Raw]:
    return [_Raw("fact", f.id, f.title, ctx.ref(f.id), f.cites) for f in ctx.policy.facts]


def _rule_trace(ctx: _Context, kind: str, rules: list[OutcomeRule], d: _Decision) -> list[_Raw]:
    items = []
    for rule in rules:
        applies = d.step is not None and _applies(rule, d.outcome, d.step.id)
        result = ctx.eval(rule.when) if applies else Tri(False)
        items.append(_Raw(kind, rule.id, rule.title, result, rule.cites, applies=applies))
    return items


def _item(ctx: _Context, raw: _Raw) -> TraceItem:
    support = sorted(raw.result.support)
    answers = [TraceAnswer(id=q, value=ctx.answers[q]) for q in support if q in ctx.answers]
    return TraceItem(
        kind=raw.kind,
        id=raw.id,
        title=raw.title,
        held=raw.result.value if raw.applies else None,
        applies=raw.applies,
        answers=answers,
        missing=sorted(raw.result.missing),
        advice=raw.advice if isinstance(raw.advice, str) else None,
        reached=raw.reached,
        cites=list(raw.cites),
        clauses=[ctx.policy.sources[c].clause for c in raw.cites],
    )


def addenda_for(policy: Policy, answers: Answers, outcome: str) -> tuple[list[str], list[str]]:
    """The redactions and conditions that go with `outcome` on these answers, however reached.

    For a decision that departs from the recommendation: what applies to the outcome
    decided, not to the one recommended. As with `conditions_on(..., step=None)`, a rule
    tied to particular deciding steps cannot apply: a person, not a step, decided.
    """
    ctx = _Context(policy, answers)
    found: dict[str, list[str]] = {"redaction": [], "condition": []}
    for kind, rules in (("redaction", policy.redactions), ("condition", policy.conditions)):
        for rule in rules:
            if outcome in rule.applies_to and not rule.steps and ctx.eval(rule.when).value:
                found[kind].append(rule.id)
    return sorted(found["redaction"]), sorted(found["condition"])
