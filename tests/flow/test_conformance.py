"""Red-team finding 1: events the tool would never write, appended through the store API.

Someone with write access to a folder store, or any PostgreSQL writer role, appends
well-formed events to a signed and recorded case: a recommendation the policy does not
give, a decision logged as no departure though it departs, a release with no sign-offs
or record behind it. Found on the old code: `verify CASE` and `audit verify` said
verified, exit 0 (the hash chain only proves nothing was changed afterwards). Now each
event is checked against the rules the workflow applies before writing it
(conformance.py), on both backends, and the failure names the case, event and reason.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bwvdisclose.answers import validate_answers
from bwvdisclose.audit.verify import verify_case
from bwvdisclose.case import (
    Actor,
    DecisionRecordedEvent,
    Event,
    RecommendationComputedEvent,
    RecordRenderedEvent,
)
from bwvdisclose.case.payloads import DecisionRecorded, RecommendationComputed, format_time
from bwvdisclose.case.state import fold
from bwvdisclose.cases import Cases, Intake, decision_for
from bwvdisclose.engine import evaluate
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.examples import load_example
from bwvdisclose.store import CaseStore, open_store
from bwvdisclose.store.copy import copy_store
from bwvdisclose.store.folder import FolderStore
from tests.case.conftest import Clock, build_log, every_kind
from tests.conftest import POLICY_2020_1, env_checker, explained, shipped_approval
from tests.flow.conftest import Signed, run

AMY = Actor(name="Amy Ward", role="decision maker", number="4711")
CLERK = Actor(name="PS Dan Reid", role="duty officer", number="2291")


def _now() -> str:
    return format_time(dt.datetime.now(dt.UTC))  # after the record: a time the tool takes


@pytest.fixture(params=["folder", "postgresql"])
def copied(request: pytest.FixtureRequest, signed: Signed, tmp_path: Path) -> Iterator[str]:
    """The session's signed and recorded case, in a store of each backend: its location."""
    if request.param == "folder":
        shutil.copytree(signed.store, tmp_path / "store")
        yield str(tmp_path / "store")
        return
    url = str(request.getfixturevalue("pg_url"))
    dst = open_store(url)
    copy_store(open_store(str(signed.store)), dst)
    dst.close()  # type: ignore[attr-defined]
    yield url


def _last(events: list[Event], kind: type[Any]) -> Any:
    return [e for e in events if isinstance(e, kind)][-1]


def _body(e: Event) -> dict[str, Any]:
    return e.model_dump(mode="json", exclude={"seq", "at", "actor", "prev", "hash"})


def forge_recommendation(store: CaseStore, case_id: str) -> list[int]:
    rec = _last(store.read(case_id), RecommendationComputedEvent)
    forged = dict(rec.recommendation)
    forged.update(outcome="publish", redactions=[], decided_by="publish")
    body = RecommendationComputed(recommendation=forged, policy=rec.policy)
    return [store.append(case_id, CLERK, body).seq]


def forge_no_departure(store: CaseStore, case_id: str) -> list[int]:
    """Publish, on a recommendation to publish with redactions, logged as no departure."""
    decision = _last(store.read(case_id), DecisionRecordedEvent)
    body = _body(decision) | {"outcome": "publish", "departure": False, "rationale": "Agree"}
    return [store.append(case_id, AMY, body).seq]


def forge_release_without_record(store: CaseStore, case_id: str) -> list[int]:
    """A release under the current, signed decision, naming no record (all zeros)."""
    decision = _last(store.read(case_id), DecisionRecordedEvent)
    body = {
        "type": "disclosure_recorded", "released_at": _now(), "to": "YouTube", "url": "",
        "decision_seq": decision.seq, "outcome": decision.outcome, "record_sha256": "0" * 64,
    }  # fmt: skip
    return [store.append(case_id, AMY, body).seq]


def forge_release_unsigned(store: CaseStore, case_id: str) -> list[int]:
    """The decision taken again (as the tool would), then released with no sign-off."""
    events = store.read(case_id)
    decision, record = _last(events, DecisionRecordedEvent), _last(events, RecordRenderedEvent)
    again = store.append(case_id, AMY, _body(decision))
    body = {
        "type": "disclosure_recorded", "released_at": _now(), "to": "YouTube", "url": "",
        "decision_seq": again.seq, "outcome": decision.outcome, "record_sha256": record.sha256,
    }  # fmt: skip
    return [store.append(case_id, AMY, body).seq]


def forge_as_red_team(store: CaseStore, case_id: str) -> list[int]:
    """The red team's chain: the recommendation, a decision on it, a release; all forged."""
    [rec] = forge_recommendation(store, case_id)
    decision = _last(store.read(case_id), DecisionRecordedEvent)
    body = _body(decision) | {"outcome": "publish", "recommended": "publish", "departure": False}
    decided = store.append(case_id, AMY, body)
    release = {
        "type": "disclosure_recorded", "released_at": _now(), "to": "YouTube", "url": "",
        "decision_seq": decided.seq, "outcome": "publish", "record_sha256": "0" * 64,
    }  # fmt: skip
    return [rec, decided.seq, store.append(case_id, AMY, release).seq]


FORGERIES: dict[str, tuple[Callable[[CaseStore, str], list[int]], list[str]]] = {
    "recommendation": (
        forge_recommendation,
        ["the recommendation is not what policy met-bwv-2020 2020.1 (sha256 "],
    ),
    "no departure": (
        forge_no_departure,
        [
            "decides publish on a recommendation of publish_with_redactions but is logged as "
            "no departure"
        ],
    ),
    "release without a record": (
        forge_release_without_record,
        [
            "a release under a record (sha256 000000000000) that is not a record of the "
            "current decision"
        ],
    ),
    "release unsigned": (
        forge_release_unsigned,
        [
            "a release the tool would have refused: case BWV-",
            "is not signed off; still needed: Decision maker, Legal, Data protection",
        ],
    ),
    "red team": (
        forge_as_red_team,
        [
            "the recommendation is not what policy",
            "decision_recorded on the recommendation of",
            "a release the tool would have refused:",
        ],
    ),
}


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_event_fails_verify_and_audit_verify(
    kind: str, copied: str, signed: Signed
) -> None:
    store = open_store(copied)
    case_id = signed.case_id
    assert verify_case(store, case_id, checker=env_checker()).ok  # as the workflow wrote it
    forge, reasons = FORGERIES[kind]
    seqs = forge(store, case_id)
    check = verify_case(store, case_id, checker=env_checker())
    assert not check.intact, check
    for seq, reason in zip(seqs, reasons, strict=False):
        named = [f for f in check.failures if f.startswith(f"{case_id}: event {seq}: ")]
        assert named, (seq, check.failures)
        assert any(reason in f for f in named), (reason, check.failures)
    for part in reasons[len(seqs) :]:
        assert any(part in f for f in check.failures), (part, check.failures)
    code, out, err = run("verify", case_id, "--store", copied)
    assert code == 1, out + err
    assert f"FAIL {case_id}: event {seqs[0]}: " in out
    code, out, err = run("audit", "verify", "--store", copied)
    assert code == 1, out + err
    assert f"FAILED {case_id}: event {seqs[0]}: " in out


def test_a_partial_withdrawal_fails(signed: Signed, tmp_path: Path) -> None:
    """Two releases logged by the workflow; a withdrawal of only one is not the tool's."""
    shutil.copytree(signed.store, tmp_path / "store")
    store = str(tmp_path / "store")
    for to in ("YouTube", "X"):
        code, _, err = run("disclosed", signed.case_id, "--to", to, "--store", store)
        assert code == 0, err
    events = open_store(store).read(signed.case_id)
    first = fold(events).releases[0].seq
    body = {"type": "withdrawal_recorded", "reason": "Review", "releases": [first]}
    seq = open_store(store).append(signed.case_id, AMY, body).seq
    code, out, err = run("verify", signed.case_id, "--store", store)
    assert code == 1, out + err
    assert f"event {seq}: withdraws releases [{first}]; the tool takes down every live" in out


def test_a_policy_version_not_at_hand_leaves_the_case_not_trusted(tmp_path: Path) -> None:
    """A recommendation under a version this machine does not hold cannot be judged:
    intact but not trusted (exit 3), never verified, naming what to give."""
    from bwvdisclose.store.bulk import write_case
    from bwvdisclose.store.folder import FolderStore

    store = FolderStore(tmp_path / "store")
    write_case(store, build_log(every_kind()[:5]))
    check = verify_case(store, "BWV-2024-0001", checker=env_checker())
    assert check.intact and not check.ok
    assert check.untrusted == (
        "BWV-2024-0001: event 5: the recommendation under policy met-bwv-2020 2020.1 "
        "(sha256 abababababab) is not checked: that policy version is not at hand (give "
        "its folder with --criteria)",
    )
    code, out, err = run("audit", "verify", "--store", str(store.root))
    assert code == 3, out + err


def _publish_case(store: CaseStore) -> tuple[Cases, str, dict[str, str]]:
    """A case the 2020.1 example recommends publishing, with a note for each condition."""
    policy = load_policy(POLICY_2020_1)
    cases = Cases(store, policy)
    example = load_example(POLICY_2020_1 / "examples" / "04-community-tension-publish.yaml")
    answers = explained(policy, validate_answers(policy, example.answers, example.name))
    case_id = cases.open(
        CLERK, Intake("CAD 4", dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "W", ["c"])
    )
    cases.apply(case_id, CLERK, answers, None)
    rec = cases.recompute(case_id, CLERK)
    values = {k: a.value for k, a in answers.items()}
    notes = {c: "Done" for c in cases.decision_conditions(rec, values, "publish")}
    return cases, case_id, notes


def test_a_decision_just_before_midnight_and_ten_years_ahead_verifies(tmp_path: Path) -> None:
    """`decide` reads its clock a moment before the store stamps the event: a review date
    of tomorrow, decided at 23:59:59 and logged after midnight, is one the tool wrote;
    so is one exactly ten years ahead."""
    late = dt.datetime(2026, 11, 29, 23, 59, 59, tzinfo=dt.UTC)
    noon = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    ahead = (noon.date() + dt.timedelta(days=3653)).isoformat()  # the furthest allowed
    for n, (review, now) in enumerate([("2026-11-30", late), (ahead, noon)]):
        store = FolderStore(tmp_path / f"s{n}", clock=Clock(now))  # late: stamps 00:00:00 on
        cases, case_id, notes = _publish_case(store)
        cases.decide(
            case_id, AMY, "publish", "Agree", review, notes, now,
            approval=shipped_approval(cases.policy),
        )  # fmt: skip
        check = verify_case(store, case_id, checker=env_checker())
        assert check.ok, check


def test_a_review_date_the_tool_refuses_fails(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "s")
    cases, case_id, notes = _publish_case(store)
    decision = decision_for(
        evaluate(cases.policy, {k: a.value for k, a in cases.state(case_id).answers.items()}),
        "publish", "Agree", "2027-01-01", notes, list(notes), dt.date(2026, 12, 1),
        approval=shipped_approval(cases.policy),
    )  # fmt: skip
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    body = _body_of(decision) | {"review_by": yesterday}  # before the day it was decided
    seq = store.append(case_id, AMY, body).seq
    (failure,) = verify_case(store, case_id, checker=env_checker()).failures
    assert failure.startswith(f"{case_id}: event {seq}: a decision the tool would have refused")
    assert "is not after today" in failure


def _body_of(body: DecisionRecorded) -> dict[str, Any]:
    return body.model_dump(mode="json")
