"""The daily planner: hard limits never broken, soft wishes honoured when they cost little, re-planning that
disturbs little, and reasons a coordinator can act on. Every solve here is well under a second."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from carerelay_scheduling.domain.planner.input import (
    DOUBLE_HANDED_SKILL,
    PlanningInputError,
    Point,
    Shift,
    StaffMember,
    TravelModel,
    VisitNeed,
)
from carerelay_scheduling.domain.planner.plan import plan_day
from carerelay_scheduling.domain.planner.result import Assignment, DayPlan, Unassigned, changes

LONDON = ZoneInfo("Europe/London")
DAY = datetime(2025, 3, 10, tzinfo=LONDON)
BASE = Point(52.63, 1.29)  # Norwich
KM_LAT = 1 / 111.195  # degrees of latitude per km


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute)


def near(km_north: float = 0.0, km_east: float = 0.0) -> Point:
    return Point(BASE.latitude + km_north * KM_LAT, BASE.longitude + km_east * KM_LAT / math.cos(math.radians(BASE.latitude)))


def member(
    discipline: str = "carer",
    skills: frozenset[str] = frozenset(),
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    base: Point = BASE,
    lunch: bool = False,
) -> StaffMember:
    shift = Shift(start or at(7), end or at(21))
    if lunch:
        shift = replace(shift, break_minutes=30, break_earliest=at(12), break_latest=at(13))
    return StaffMember(uuid4(), discipline, skills, base, shift)


def need(
    earliest: datetime,
    latest: datetime,
    *,
    where: Point | None = None,
    person: UUID | None = None,
    minutes: int = 30,
    disciplines: frozenset[str] = frozenset({"carer"}),
    skills: frozenset[str] = frozenset(),
    familiar: Mapping[UUID, int] | None = None,
    **extra: object,
) -> VisitNeed:
    return VisitNeed(
        visit_id=uuid4(),
        person_ref=person or uuid4(),
        location=where or near(2, 2),
        earliest_start=earliest,
        latest_start=latest,
        duration_minutes=minutes,
        disciplines=disciplines,
        required_skills=skills,
        familiar_staff=familiar or {},
        **extra,  # type: ignore[arg-type]
    )


def solve(staff: list[StaffMember], visits: list[VisitNeed], seconds: float = 0.3) -> DayPlan:
    return plan_day(staff, visits, seconds=seconds)


def assert_hard_limits(staff: list[StaffMember], visits: list[VisitNeed], plan: DayPlan) -> None:
    """Every assignment inside its hard window and the shifts of the people making it, no one in two places."""
    by_id = {s.staff_id: s for s in staff}
    for visit in visits:
        made = plan.assignments.get(visit.visit_id)
        if made is None:
            continue
        assert visit.earliest_start <= made.start <= visit.latest_start
        for staff_id in made.staff_ids:
            shift = by_id[staff_id].shift
            assert shift.start <= made.start
            assert made.start + timedelta(minutes=visit.duration_minutes) <= shift.end
    length = {v.visit_id: timedelta(minutes=v.duration_minutes) for v in visits}
    for route in plan.routes.values():
        times = [(plan.assignments[v].start, plan.assignments[v].start + length[v]) for v in route]
        assert all(end <= nxt for (_, end), (nxt, _) in itertools.pairwise(times))


def test_travel_is_straight_line_distance_at_the_given_speed_with_a_minimum() -> None:
    travel = TravelModel()
    assert travel.minutes(BASE, near(km_north=6)) == 12
    assert travel.minutes(BASE, near(km_east=6)) == 12
    assert travel.minutes(BASE, BASE) == 0
    assert travel.minutes(BASE, near(km_north=0.1)) == 2
    assert TravelModel(speed_kmh=60).minutes(BASE, near(km_north=6)) == 6


def test_a_skilled_visit_goes_only_to_someone_with_the_skill() -> None:
    plain, skilled = member(), member(skills=frozenset({"catheter-care"}))
    visit = need(at(9), at(11), skills=frozenset({"catheter-care"}))
    plan = solve([plain, skilled], [visit])
    assert plan.assignments[visit.visit_id].staff_ids == (skilled.staff_id,)
    assert "has skill catheter-care" in plan.assignments[visit.visit_id].why


def test_no_one_with_the_skill_on_shift_is_the_reason_given() -> None:
    visit = need(at(9), at(11), skills=frozenset({"catheter-care"}))
    plan = solve([member(), member()], [visit])
    assert plan.unassigned[visit.visit_id].reason == "no one with skill catheter-care on shift"


def test_a_night_visit_goes_to_the_night_team_and_no_visit_is_outside_a_shift() -> None:
    day_nurse = member("nurse", start=at(8), end=at(20))
    night_nurse = member("nurse", start=at(21), end=at(7, 30, day=1))
    night = need(at(23), at(23, 30), disciplines=frozenset({"nurse"}))
    morning = need(at(9), at(10), disciplines=frozenset({"nurse"}))
    carer_at_night = need(at(23), at(23, 30))
    staff, visits = [day_nurse, night_nurse], [night, morning, carer_at_night]
    plan = solve(staff, visits)
    assert plan.assignments[night.visit_id].staff_ids == (night_nurse.staff_id,)
    assert plan.assignments[morning.visit_id].staff_ids == (day_nurse.staff_id,)
    assert plan.unassigned[carer_at_night.visit_id].reason == "no carer on shift"
    assert_hard_limits(staff, visits, plan)


def test_a_deadline_no_one_can_reach_in_time_is_reported_as_such() -> None:
    far = need(at(7), at(7, 20), where=near(km_north=40))  # 80 minutes away, must start within 20 of the shift
    reachable = need(at(7), at(9), where=near(km_north=3))
    plan = solve([member()], [far, reachable])
    assert plan.unassigned[far.visit_id].reason == "deadline cannot be met"
    assert reachable.visit_id in plan.assignments


def test_hard_windows_and_shifts_hold_in_a_busy_day() -> None:
    staff = [member(), member(), member(start=at(12))]
    visits = [need(at(7 + i % 12), at(8 + i % 12), where=near(i % 5, i % 3)) for i in range(24)]
    plan = solve(staff, visits, seconds=0.5)
    assert plan.feasible
    assert_hard_limits(staff, visits, plan)
    assert len(plan.assignments) + len(plan.unassigned) == len(visits)


def test_a_double_handed_visit_gets_two_different_people_at_the_same_start() -> None:
    hoist = frozenset({DOUBLE_HANDED_SKILL})
    a, b, c = member(skills=hoist), member(skills=hoist), member()
    visit = need(at(9), at(10), double_handed=True)
    plan = solve([a, b, c], [visit])
    made = plan.assignments[visit.visit_id]
    assert sorted(map(str, made.staff_ids)) == sorted(map(str, (a.staff_id, b.staff_id)))
    assert visit.visit_id in plan.routes[a.staff_id]
    assert visit.visit_id in plan.routes[b.staff_id]


def test_a_double_handed_visit_with_only_one_trained_person_is_unassigned_whole() -> None:
    only = member(skills=frozenset({DOUBLE_HANDED_SKILL}))
    visit = need(at(9), at(10), double_handed=True)
    plan = solve([only, member()], [visit])
    assert visit.visit_id not in plan.assignments
    assert plan.unassigned[visit.visit_id].reason.startswith("double-handed")
    assert all(visit.visit_id not in route for route in plan.routes.values())


def test_the_break_is_in_its_window_and_no_visit_overlaps_it() -> None:
    carer = member(lunch=True)
    visits = [need(at(hour, 0), at(hour, 45), where=near(1 + hour % 3, 1)) for hour in range(8, 17)]
    plan = solve([carer], visits)
    lunch = plan.breaks[carer.staff_id]
    assert at(12) <= lunch <= at(13)
    for made in plan.assignments.values():
        assert made.start + timedelta(minutes=30) <= lunch or made.start >= lunch + timedelta(minutes=30)
    assert len(plan.assignments) >= 7


def test_the_familiar_carer_gets_mrs_as_visits_when_both_are_equally_placed() -> None:
    stranger, familiar = member(), member()
    mrs_a = uuid4()
    visits = [
        need(at(7, 30), at(9, 30), person=mrs_a, familiar={familiar.staff_id: 5}),
        need(at(18), at(20), person=mrs_a, familiar={familiar.staff_id: 5}),
    ]
    for staff in ([stranger, familiar], [familiar, stranger]):
        plan = solve(staff, visits)
        assert all(plan.assignments[v.visit_id].staff_ids == (familiar.staff_id,) for v in visits)
        assert "knows the person (5 visits)" in plan.assignments[visits[0].visit_id].why


def test_the_preferred_window_is_met_when_it_can_be() -> None:
    visit = need(at(7), at(12), preferred_start=at(10), preferred_end=at(10, 30))
    plan = solve([member()], [visit])
    made = plan.assignments[visit.visit_id]
    assert at(10) <= made.start <= at(10, 30)
    assert "in the preferred window" in made.why


def test_a_pinned_visit_goes_to_the_pinned_person_even_if_someone_else_is_closer() -> None:
    close, far = member(base=near(2, 2)), member(base=near(-5, -5))
    visit = need(at(9), at(10), pinned_staff=(far.staff_id,))
    plan = solve([close, far], [visit])
    assert plan.assignments[visit.visit_id].staff_ids == (far.staff_id,)
    assert "pinned by coordinator" in plan.assignments[visit.visit_id].why


def test_more_work_than_people_leaves_visits_unassigned_without_failing() -> None:
    visits = [need(at(9), at(9, 30), where=near(i, 0), minutes=60) for i in range(6)]
    urgent = need(at(9), at(9, 30), where=near(8, 0), minutes=60, urgent=True)
    plan = solve([member(), member()], [*visits, urgent])
    assert urgent.visit_id in plan.assignments
    assert len(plan.assignments) == 2
    assert {u.reason for u in plan.unassigned.values()} == {"no capacity in the window"}


def test_mrs_a_mostly_keeps_the_same_carers_day_after_day() -> None:
    carers = [member(base=near(i - 3, 0)) for i in range(6)]
    mrs_a, home = uuid4(), near(0, 1)
    history: Counter[UUID] = Counter()
    others = [(uuid4(), near(i % 4 - 2, i % 3)) for i in range(10)]
    made_by: list[UUID] = []
    for day in range(5):
        visits = [
            need(at(7, 30, day), at(9, 30, day), person=mrs_a, where=home, familiar=dict(history)),
            need(at(18, 0, day), at(20, 0, day), person=mrs_a, where=home, familiar=dict(history)),
            *(need(at(8 + i, 0, day), at(12 + i, 0, day), person=p, where=w) for i, (p, w) in enumerate(others)),
        ]
        staff = [replace(c, shift=Shift(at(7, 0, day), at(21, 0, day))) for c in carers]
        plan = solve(staff, visits)
        for visit in visits[:2]:
            (carer,) = plan.assignments[visit.visit_id].staff_ids
            history[carer] += 1
            made_by.append(carer)
    assert len(set(made_by)) <= 3
    assert Counter(made_by).most_common(1)[0][1] >= 6  # of 10 visits


def live(visits: list[VisitNeed], plan: DayPlan) -> list[VisitNeed]:
    """The visits as the service would pass them when re-planning: with the live plan on each."""
    return [
        replace(v, current_staff=plan.assignments[v.visit_id].staff_ids, current_start=plan.assignments[v.visit_id].start)
        if v.visit_id in plan.assignments
        else v
        for v in visits
    ]


def test_inserting_one_urgent_visit_changes_few_others_and_changes_lists_only_differences() -> None:
    staff = [member(base=near(i, -i)) for i in range(5)]
    visits = [need(at(8 + i % 10), at(10 + i % 10), where=near(i % 7 - 3, i % 5 - 2)) for i in range(30)]
    first = solve(staff, visits, seconds=0.5)
    current = live(visits, first)
    assert changes(current, first) == []
    urgent = need(at(11), at(12), where=near(1, 1), urgent=True)
    replanned = plan_day(staff, [*current, urgent], seconds=0.5)
    found = changes([*current, urgent], replanned)
    assert urgent.visit_id in replanned.assignments
    assert next(c for c in found if c.visit_id == urgent.visit_id).kind == "assigned"
    moved = [c for c in found if c.visit_id != urgent.visit_id and c.kind != "rescheduled"]
    assert len(moved) <= 3
    assert_hard_limits(staff, [*current, urgent], replanned)


def test_re_planning_starts_staff_where_and_when_they_are_free() -> None:
    carer = replace(member(), available_from=at(12), available_at=near(10, 0))
    early = need(at(9), at(11, 30))
    later = need(at(12), at(14), where=near(10, 1))
    plan = solve([carer], [early, later])
    assert plan.unassigned[early.visit_id].reason == "no carer on shift"
    assert plan.assignments[later.visit_id].start <= at(12, 10)


def test_changes_reports_only_what_differs_from_the_live_plan() -> None:
    a, b = uuid4(), uuid4()
    same = need(at(9), at(10), current_staff=(a,), current_start=at(9))
    moved = need(at(9), at(10), current_staff=(a,), current_start=at(9))
    given = need(at(9), at(10), current_staff=(a,), current_start=at(9))
    dropped = need(at(9), at(10), current_staff=(b,), current_start=at(9))
    new = need(at(9), at(10))
    plan = DayPlan(
        assignments={
            same.visit_id: Assignment(same.visit_id, (a,), at(9), ()),
            moved.visit_id: Assignment(moved.visit_id, (a,), at(9, 20), ()),
            given.visit_id: Assignment(given.visit_id, (b,), at(9), ("travel +5 min",)),
            new.visit_id: Assignment(new.visit_id, (b,), at(9, 40), ()),
        },
        unassigned={dropped.visit_id: Unassigned(dropped.visit_id, "no capacity in the window")},
        routes={},
        breaks={},
        feasible=True,
        solve_seconds=0.0,
    )
    kinds = {c.visit_id: (c.kind, c.previous_start, c.reason) for c in changes([same, moved, given, dropped, new], plan)}
    assert kinds == {
        moved.visit_id: ("rescheduled", at(9), None),
        given.visit_id: ("assigned", at(9), None),
        dropped.visit_id: ("unassigned", at(9), "no capacity in the window"),
        new.visit_id: ("assigned", None, None),
    }


@pytest.mark.parametrize(
    ("visit_change", "field"),
    [
        ({"latest_start": at(8)}, "latest_start"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"location": Point(40.7, -74.0)}, "location"),
        ({"earliest_start": datetime(2025, 3, 10, 9)}, "earliest_start"),
        ({"preferred_start": at(9, 30), "preferred_end": at(9)}, "preferred_end"),
    ],
)
def test_bad_visit_input_is_refused_with_the_field(visit_change: dict[str, object], field: str) -> None:
    visit = replace(need(at(9), at(10)), **visit_change)  # type: ignore[arg-type]
    with pytest.raises(PlanningInputError) as error:
        solve([member()], [visit])
    assert error.value.field == field


def test_bad_staff_input_and_duplicates_are_refused_with_the_field() -> None:
    carer = member()
    with pytest.raises(PlanningInputError) as error:
        solve([replace(carer, shift=Shift(at(10), at(9)))], [])
    assert error.value.field == "shift.end"
    with pytest.raises(PlanningInputError) as error:
        solve([carer, carer], [])
    assert error.value.field == "staff_id"
    visit = need(at(9), at(10))
    with pytest.raises(PlanningInputError) as error:
        solve([carer], [visit, visit])
    assert error.value.field == "visit_id"


def test_no_staff_at_all_leaves_every_visit_unassigned_with_a_reason() -> None:
    visit = need(at(9), at(10), disciplines=frozenset({"nurse", "occupational-therapist"}))
    plan = solve([], [visit])
    assert plan.unassigned[visit.visit_id].reason == "no nurse or occupational-therapist on shift"


def test_everyone_gets_their_own_break_and_nothing_is_planned_before_now() -> None:
    staff = [member(lunch=True), member(lunch=True, base=near(4, 4))]
    visits = [need(at(hour), at(hour, 30), where=near(hour % 4, 2)) for hour in range(9, 16)]
    now = at(10, 15)
    plan = plan_day(staff, visits, seconds=0.3, now=now)
    assert set(plan.breaks) == {s.staff_id for s in staff}
    assert all(at(12) <= lunch <= at(13) for lunch in plan.breaks.values())
    assert all(made.start >= now for made in plan.assignments.values())
    assert plan.unassigned[visits[0].visit_id].reason == "deadline cannot be met"
