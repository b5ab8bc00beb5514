"""The rules of a live re-plan: who is free where and when, which visits the planner may move, what it
is told of each, and which of its changes are published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from carerelay_contract.visit import VisitAssigned, VisitRescheduled
from carerelay_scheduling.domain.day_plan import rolling_window
from carerelay_scheduling.domain.live_plan import (
    MOST_VISITS_PER_PLAN,
    Busy,
    OpenVisit,
    booked_on_another_shift,
    change_events,
    free_to_plan,
    home_on_the_map,
    left_for_later,
    may_move,
    need,
    unassignable,
    within_reach,
    worth_publishing,
)
from carerelay_scheduling.domain.planner.input import Point, Shift, StaffMember
from carerelay_scheduling.domain.planner.result import PlanChange

NOW = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
BASE = Point(52.6369, -1.1398)
HOME = Point(52.6401, -1.1302)
AMARA, TOM = uuid4(), uuid4()


def a_visit(**changes: object) -> OpenVisit:
    fields: dict[str, object] = {
        "visit_id": uuid4(),
        "episode_id": uuid4(),
        "purpose": "care",
        "discipline": "carer",
        "status": "assigned",
        "earliest_start": NOW,
        "latest_start": NOW + timedelta(hours=2),
        "duration_minutes": 30,
        "required_skills": frozenset(),
        "double_handed": False,
        "marked_urgent": False,
        "preferred_start": None,
        "preferred_end": None,
        "staff_id": AMARA,
        "second_staff_id": None,
        "planned_start": NOW + timedelta(minutes=30),
        "pinned": False,
        "latitude": HOME.latitude,
        "longitude": HOME.longitude,
        "team": "north",
    }
    return OpenVisit(**(fields | changes))  # type: ignore[arg-type]


def a_member() -> StaffMember:
    return StaffMember(AMARA, "carer", frozenset(), BASE, Shift(NOW - timedelta(hours=3), NOW + timedelta(hours=5)))


def test_someone_in_a_visit_is_free_from_its_end_at_that_home_and_not_at_all_if_it_runs_past_their_shift() -> None:
    member = a_member()
    assert free_to_plan(member, None, NOW) is member
    assert free_to_plan(member, Busy(NOW - timedelta(minutes=5), HOME), NOW) is member
    later = free_to_plan(member, Busy(NOW + timedelta(minutes=20), HOME), NOW)
    assert later is not None
    assert (later.available_from, later.available_at) == (NOW + timedelta(minutes=20), HOME)
    without_coordinates = free_to_plan(member, Busy(NOW + timedelta(minutes=20), None), NOW)
    assert without_coordinates is not None
    assert without_coordinates.available_at == BASE
    assert free_to_plan(member, Busy(member.shift.end, HOME), NOW) is None


def test_a_pin_to_someone_not_working_in_the_window_stands_as_it_is() -> None:
    assert may_move(a_visit(pinned=True), {AMARA})
    assert not may_move(a_visit(pinned=True), {TOM})
    assert may_move(a_visit(), {TOM})


def test_what_the_planner_is_told_of_a_visit() -> None:
    window = rolling_window(NOW + timedelta(minutes=15), 12)
    visit = a_visit(purpose="first-response", discipline="physiotherapist", pinned=True)
    asked = need(visit, window, {"north": BASE}, {TOM: 3})
    assert asked.earliest_start == window[0]  # clipped to the window
    assert asked.urgent  # a first response always is
    assert asked.disciplines == {"occupational-therapist", "physiotherapist"}
    assert (asked.current_staff, asked.pinned_staff, asked.current_start) == ((AMARA,), (AMARA,), visit.planned_start)
    assert asked.familiar_staff == {TOM: 3}


def test_a_home_without_coordinates_is_planned_from_its_teams_base_and_one_off_the_map_is_not_planned() -> None:
    riverside = Point(52.605, -1.19)
    homeless = a_visit(latitude=None, longitude=None, team="riverside", status="planned")
    asked = need(homeless, rolling_window(NOW, 12), {"north": BASE, "riverside": riverside}, {})
    assert asked.location == riverside
    assert asked.current_staff == ()
    assert asked.current_start is None
    assert home_on_the_map(a_visit(latitude=None, longitude=None))
    assert not home_on_the_map(a_visit(latitude=10.0))


def test_a_small_move_within_the_window_and_unassigning_a_pin_are_kept_quiet() -> None:
    visit = a_visit()
    assert visit.planned_start is not None
    drift = PlanChange(
        "rescheduled", visit.visit_id, (AMARA,), visit.planned_start + timedelta(minutes=9), visit.planned_start, ()
    )
    move = PlanChange(
        "rescheduled", visit.visit_id, (AMARA,), visit.planned_start + timedelta(minutes=10), visit.planned_start, ()
    )
    gone = PlanChange("unassigned", visit.visit_id, (), None, visit.planned_start, (), "no capacity in the window")
    assert not worth_publishing(drift, visit)
    assert worth_publishing(move, visit)
    assert worth_publishing(gone, visit)
    assert not worth_publishing(gone, a_visit(pinned=True))


def test_the_same_person_at_a_new_time_is_rescheduled_and_a_new_person_assigned_with_the_why() -> None:
    visit = a_visit()
    assert visit.planned_start is not None
    start = visit.planned_start + timedelta(minutes=40)
    rescheduled, assigned = change_events(
        visit, PlanChange("rescheduled", visit.visit_id, (AMARA, TOM), start, visit.planned_start, ("travel +4 min", ""))
    )
    assert isinstance(rescheduled, VisitRescheduled)
    assert rescheduled.previous_start == visit.planned_start
    assert isinstance(assigned, VisitAssigned)
    assert assigned.staff_id == TOM
    assert assigned.why == ["travel +4 min"]


def test_a_routine_visit_with_time_left_after_the_window_raises_no_alarm_but_an_urgent_one_does() -> None:
    window = rolling_window(NOW, 1)
    assert left_for_later(a_visit(), window)
    assert not left_for_later(a_visit(marked_urgent=True), window)
    assert unassignable(a_visit(purpose="first-response"), "deadline cannot be met", NOW).urgent


def test_a_visit_booked_in_another_of_its_peoples_shifts_is_left_alone() -> None:
    tomorrow = (NOW + timedelta(hours=21), NOW + timedelta(hours=29))
    booked_tomorrow = a_visit(planned_start=NOW + timedelta(hours=22))
    assert booked_on_another_shift(booked_tomorrow, {AMARA: (tomorrow,)})
    assert not booked_on_another_shift(a_visit(), {AMARA: (tomorrow,)})  # in the shift this plan gives her
    assert not booked_on_another_shift(booked_tomorrow, {})  # e.g. she is away then: the plan moves it
    assert not booked_on_another_shift(a_visit(status="planned", staff_id=None, planned_start=None), {AMARA: (tomorrow,)})
    pair = a_visit(planned_start=NOW + timedelta(hours=22), second_staff_id=TOM)
    assert not booked_on_another_shift(pair, {AMARA: (tomorrow,)})  # Tom makes it in the shift planned
    assert booked_on_another_shift(pair, {AMARA: (tomorrow,), TOM: (tomorrow,)})


def test_a_plan_gives_the_solver_at_most_so_many_visits_the_held_ones_first_then_the_soonest_due() -> None:
    held = [a_visit() for _ in range(3)]
    waiting = [
        a_visit(status="planned", staff_id=None, latest_start=NOW + timedelta(minutes=minutes)) for minutes in (90, 30, 60, 10)
    ]
    assert within_reach(held + waiting, most=10) == held + waiting, "within the limit, every visit"
    chosen = within_reach(waiting + held, most=5)
    assert chosen == [*held, waiting[3], waiting[1]], "the round as it is, then the two due soonest"
    assert within_reach(held, most=2) == held, "nobody's round is cut, whatever the limit"
    assert (
        len(within_reach([a_visit(status="planned", staff_id=None) for _ in range(MOST_VISITS_PER_PLAN + 5)]))
        == MOST_VISITS_PER_PLAN
    )
