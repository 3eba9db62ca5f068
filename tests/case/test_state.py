"""fold(events) -> CaseState: replaying a case, current and stale sign-offs, bad sequences."""

from __future__ import annotations

import datetime as dt

import pytest

from bwvdisclose.case.events import ZERO_HASH, SignoffRecordedEvent
from bwvdisclose.case.payloads import Body
from bwvdisclose.case.state import CaseState, fold
from bwvdisclose.errors import IntegrityError
from bwvdisclose.store.folder import FolderStore

from .conftest import (
    INSPECTOR,
    OFFICER,
    POLICY,
    RECOMMENDATION,
    answer,
    build_log,
    change,
    decision,
    every_kind,
    open_case,
    opened,
    recommendation,
    record,
    signoff,
)


def folded(bodies: list[Body]) -> CaseState:
    return fold(build_log(bodies))


def test_a_full_case_folds_to_its_state() -> None:
    events = build_log(every_kind())
    state = fold(events)
    assert state.case_id == "BWV-2024-0001"
    assert state.intake.incident_ref == "CAD 1234/01MAY24"
    assert state.intake.occurred == dt.datetime(2024, 4, 30, 22, 15, tzinfo=dt.UTC)
    assert state.intake.clips == ["BWV-0001.mp4"]
    assert state.intake.notes == "Café incident — see CAD"
    assert (state.intake.opened_at, state.intake.opened_by) == (events[0].at, OFFICER)
    assert state.policy == POLICY
    assert {q: a.value for q, a in state.answers.items()} == {
        "footage.public_place": True,
        "people.children": "some",
    }
    children = state.answers["people.children"]
    assert (children.seq, children.by, children.at) == (4, OFFICER, events[3].at)
    assert [e.seq for e in state.history] == [2, 3, 4]
    assert state.recommendation == RECOMMENDATION
    assert (state.recommendation_seq, state.recommendation_policy) == (5, POLICY)
    assert state.decision == events[5]
    assert state.signoffs == [events[6]]
    assert state.records == [events[7]]
    assert state.releases == [events[8]] and state.withdrawals == [events[9]]
    assert state.live_releases() == []
    # sign-offs, records, releases and withdrawals leave the decision current
    assert (state.head, state.last_seq, state.last_change_seq) == (events[-1].hash, 10, 6)


def test_a_new_case_has_nothing_yet() -> None:
    state = folded([opened()])
    assert state.answers == {} and state.history == []
    assert (state.recommendation, state.recommendation_seq, state.decision) == (None, None, None)
    assert state.signoffs == [] and state.records == []
    assert (state.last_seq, state.last_change_seq) == (1, 0)


def test_the_latest_recommendation_and_decision_win() -> None:
    later = {**RECOMMENDATION, "outcome": "do_not_publish"}
    bodies = [opened(), recommendation(), decision("publish"), recommendation()]
    bodies[3] = bodies[3].model_copy(update={"recommendation": later})
    state = folded([*bodies, decision("do_not_publish")])
    assert state.recommendation == later and state.recommendation_seq == 4
    assert state.decision is not None and state.decision.outcome == "do_not_publish"


def test_signoffs_go_stale_when_the_case_changes_after_them() -> None:
    bodies: list[Body] = [
        opened(),
        answer("q.one", True),
        recommendation(),
        decision(),
        signoff(ZERO_HASH, "decision_maker"),
        signoff(ZERO_HASH, "legal"),
        record(ZERO_HASH),  # a rendered record does not make a sign-off stale
    ]
    state = folded(bodies)
    assert [s.role for s in state.current_signoffs()] == ["decision_maker", "legal"]
    assert state.stale_signoffs() == [] and state.signed_roles() == {"decision_maker", "legal"}

    state = folded(
        [*bodies, change("q.one", False, True, "Re-watched clip 2."), signoff(ZERO_HASH, "legal")]
    )
    assert [(s.role, state.is_current(s)) for s in state.signoffs] == [
        ("decision_maker", False),
        ("legal", False),
        ("legal", True),
    ]
    assert state.signed_roles() == {"legal"}


@pytest.mark.parametrize("late", [answer("q.two", "x"), recommendation(), decision()])
def test_each_kind_of_change_makes_signoffs_stale(late: Body) -> None:
    state = folded([opened(), answer("q.one", True), signoff(ZERO_HASH), late])
    assert state.current_signoffs() == []
    assert isinstance(state.stale_signoffs()[0], SignoffRecordedEvent)


def test_changing_an_answer_never_given_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError, match=r"event 2: changes q\.one, which was never answered"):
        folded([opened(), change("q.one", True, False, "why")])


def test_answering_twice_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError, match=r"event 3: q\.one is already answered \(event 2\)"):
        folded([opened(), answer("q.one", True), answer("q.one", False)])


def test_a_change_must_start_from_the_current_value() -> None:
    with pytest.raises(IntegrityError, match=r"changes q\.one from 'no', not True"):
        folded([opened(), answer("q.one", True), change("q.one", False, "no", "why")])


def test_a_log_must_start_with_case_opened_and_count_up() -> None:
    events = build_log([opened(), answer("q.one", True), answer("q.two", True)])
    with pytest.raises(IntegrityError, match="no events"):
        fold([])
    with pytest.raises(IntegrityError, match="not answer_recorded"):
        fold(events[1:])
    with pytest.raises(IntegrityError, match="event 3: follows event 1"):
        fold([events[0], events[2]])
    second_open = build_log([opened(), opened()])
    with pytest.raises(IntegrityError, match="case_opened may only be the first event"):
        fold(second_open)


def test_fold_what_the_store_reads(store: FolderStore) -> None:
    case_id = open_case(store)
    store.append(case_id, OFFICER, answer("q.one", True, "Seen at 00:10."))
    store.append(case_id, INSPECTOR, change("q.one", False, True, "Misread the clip."))
    store.append(case_id, INSPECTOR, recommendation())
    state = fold(store.iter_events(case_id))
    assert state == fold(store.read(case_id))
    assert state.answers["q.one"].by == INSPECTOR
    assert state.head == store.verify(case_id).head
    assert state.model_dump(mode="json")["intake"]["opened_at"].endswith("Z")


def test_a_release_names_the_current_decision_to_publish() -> None:
    from .conftest import release

    base = [opened(), recommendation(), decision(), signoff(ZERO_HASH), record(ZERO_HASH)]
    assert folded([*base, release(decision_seq=3)]).releases  # event 3 is the decision
    with pytest.raises(IntegrityError, match="not the current decision to publish"):
        folded([*base, release(decision_seq=2)])
    with pytest.raises(IntegrityError, match="not the current decision to publish"):
        folded([opened(), recommendation(), release(decision_seq=2)])


def test_a_withdrawal_takes_down_only_live_releases() -> None:
    from bwvdisclose.case.payloads import WithdrawalRecorded

    from .conftest import release

    base = [opened(), recommendation(), decision(), signoff(ZERO_HASH), record(ZERO_HASH)]
    out = [*base, release(3), release(3, to="BBC News")]
    state = folded([*out, WithdrawalRecorded(reason="Review", releases=[6, 7])])
    assert state.live_releases() == [] and len(state.withdrawals) == 1
    with pytest.raises(IntegrityError, match="withdraws a release that is not live"):
        folded([*out, WithdrawalRecorded(reason="Review", releases=[5])])
    twice = WithdrawalRecorded(reason="Again", releases=[6])
    with pytest.raises(IntegrityError, match="withdraws a release that is not live"):
        folded([*out, WithdrawalRecorded(reason="Review", releases=[6]), twice])
