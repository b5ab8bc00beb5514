"""The rules of a live re-plan: which open visits the planner may touch and what it knows of each, where
and when each member of staff is next free, and which of the planner's changes are worth publishing.

A visit already started (or on the way) stays where it is, and its clinician is free when it ends (an
overrunning visit keeps them 15 minutes past now). A pin is the coordinator's decision: a visit pinned to
someone not working in the window is left as it is (and shown at risk), never taken off them. A visit the
new plan would move by less than SMALL_DRIFT keeps the time already given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from carerelay_contract.model import Event
from carerelay_contract.visit import VisitAssigned, VisitRescheduled, VisitUnassignable

from .day_plan import Window
from .first_response import disciplines_for
from .planner.input import Point, StaffMember, VisitNeed, on_the_map
from .planner.result import PlanChange

OPEN = ("planned", "assigned")
"""The statuses a re-plan may change."""
FIRST_RESPONSE = "first-response"
OVERRUN_GRACE = timedelta(minutes=15)
"""A clinician in a visit past its planned end is taken to be free this long after now."""
SMALL_DRIFT = timedelta(minutes=10)
"""A re-plan that moves a visit by less than this keeps the time already given (the person and the
clinician were told it): only real changes are published."""
NO_CAPACITY = "no capacity in the window"
OFF_THE_MAP = "the home's coordinates are off the county's map"


@dataclass(frozen=True)
class OpenVisit:
    """A visit the re-plan may place, as it stands, with its person's home and team."""

    visit_id: UUID
    episode_id: UUID
    purpose: str
    discipline: str
    status: str
    earliest_start: datetime
    latest_start: datetime
    duration_minutes: int
    required_skills: frozenset[str]
    double_handed: bool
    marked_urgent: bool
    preferred_start: datetime | None
    preferred_end: datetime | None
    staff_id: UUID | None
    second_staff_id: UUID | None
    planned_start: datetime | None
    pinned: bool
    latitude: float | None
    longitude: float | None
    team: str | None

    @property
    def urgent(self) -> bool:
        """Urgent, or a first response (which always is)."""
        return self.marked_urgent or self.purpose == FIRST_RESPONSE

    @property
    def holders(self) -> set[UUID]:
        return {staff for staff in (self.staff_id, self.second_staff_id) if staff is not None}

    @property
    def assigned(self) -> bool:
        return self.status == "assigned"


@dataclass(frozen=True)
class Busy:
    """Where and when a member of staff in (or on the way to) a visit is next free."""

    free_at: datetime
    place: Point | None
    """The home of their latest visit (None when it has no coordinates: their base)."""


def free_to_plan(member: StaffMember, busy: Busy | None, window_start: datetime) -> StaffMember | None:
    """The member of staff as the planner may use them: from the end of the visit they are in, there;
    None when that visit runs to the end of their shift."""
    if busy is None or busy.free_at <= window_start:
        return member
    if busy.free_at >= member.shift.end:
        return None
    return StaffMember(
        staff_id=member.staff_id,
        discipline=member.discipline,
        skills=member.skills,
        base=member.base,
        shift=member.shift,
        available_from=busy.free_at,
        available_at=busy.place or member.base,
    )


def may_move(visit: OpenVisit, on_shift: set[UUID]) -> bool:
    """False for a visit pinned to someone not working in the window: the pin stands as it is."""
    return not visit.pinned or visit.holders <= on_shift


def booked_on_another_shift(visit: OpenVisit, other_stretches: Mapping[UUID, Sequence[Window]]) -> bool:
    """An assigned visit each of whose people makes it in another of their shifts than the one this plan
    gives them (tomorrow's, say): it stays as booked, and this plan leaves it alone."""
    start = visit.planned_start
    if not visit.assigned or start is None or not visit.holders:
        return False
    return all(any(begins <= start < ends for begins, ends in other_stretches.get(staff, ())) for staff in visit.holders)


MOST_VISITS_PER_PLAN = 1000
"""The most visits one plan gives the solver. Its problem grows with the square of the visits (the travel
between every pair): at 20 accepted referrals a second for twelve minutes, a re-plan of 7,400 open visits
took scheduling past 20 GB and the kernel killed it (docs/reliability.md, "The soak")."""


def within_reach(visits: Sequence[OpenVisit], most: int = MOST_VISITS_PER_PLAN) -> list[OpenVisit]:
    """The visits this plan may place, at most `most`: every visit someone holds (the round as it is, so
    nobody is booked twice), then those that must start soonest. The rest wait, as they are, for a later
    plan; their response clocks warn the hub if they wait too long."""
    if len(visits) <= most:
        return list(visits)
    held = [visit for visit in visits if visit.assigned]
    waiting = sorted(
        (visit for visit in visits if not visit.assigned),
        key=lambda visit: (visit.latest_start, visit.earliest_start, str(visit.visit_id)),
    )
    return held + waiting[: max(0, most - len(held))]


def home_on_the_map(visit: OpenVisit) -> bool:
    if visit.latitude is None or visit.longitude is None:
        return True  # planned from the team's base
    return on_the_map(Point(visit.latitude, visit.longitude))


def need(visit: OpenVisit, window: Window, bases: Mapping[str, Point], familiar: Mapping[UUID, int]) -> VisitNeed:
    """What the planner is asked for this visit, within the window, with the live plan as it is."""
    if visit.latitude is not None and visit.longitude is not None:
        location = Point(visit.latitude, visit.longitude)
    else:  # a home without coordinates is planned from its team's base (travel estimated from there)
        location = bases.get(visit.team or "") or next(iter(bases.values()))
    current = tuple(staff for staff in (visit.staff_id, visit.second_staff_id) if staff is not None)
    return VisitNeed(
        visit_id=visit.visit_id,
        person_ref=visit.episode_id,
        location=location,
        earliest_start=max(visit.earliest_start, window[0]),
        latest_start=min(visit.latest_start, window[1]),
        duration_minutes=visit.duration_minutes,
        disciplines=disciplines_for(visit.discipline, visit.purpose),
        required_skills=visit.required_skills,
        double_handed=visit.double_handed,
        urgent=visit.urgent,
        preferred_start=visit.preferred_start,
        preferred_end=visit.preferred_end,
        familiar_staff=familiar,
        current_staff=current if visit.assigned else (),
        current_start=visit.planned_start if visit.assigned else None,
        pinned_staff=current if visit.pinned else (),
    )


def worth_publishing(change: PlanChange, visit: OpenVisit) -> bool:
    """False for a change the re-plan keeps to itself: taking a pinned visit off its people (the pin stands
    and the coordinator view shows it at risk), or moving a visit by less than SMALL_DRIFT within its window."""
    if change.kind == "unassigned":
        return not visit.pinned
    previous = change.previous_start
    if change.kind != "rescheduled" or previous is None or change.start is None:
        return True
    small = abs(change.start - previous) < SMALL_DRIFT and visit.earliest_start <= previous <= visit.latest_start
    return not small


def change_events(visit: OpenVisit, change: PlanChange) -> list[Event]:
    """What each person making the visit is told: the same person at a new time is a reschedule; anyone
    new (or a visit newly placed) is an assignment, with the planner's why."""
    assert change.start is not None
    before = visit.holders if visit.assigned else set()
    events: list[Event] = []
    for staff_id in change.staff_ids:
        if change.kind == "rescheduled" and staff_id in before and change.previous_start is not None:
            events.append(
                VisitRescheduled(
                    episode_id=visit.episode_id,
                    visit_id=visit.visit_id,
                    staff_id=staff_id,
                    planned_start=change.start,
                    previous_start=change.previous_start,
                    reason="re-planned",
                )
            )
        else:
            events.append(
                VisitAssigned(
                    episode_id=visit.episode_id,
                    visit_id=visit.visit_id,
                    staff_id=staff_id,
                    planned_start=change.start,
                    pinned=visit.pinned,
                    why=[reason[:200] for reason in change.why if reason][:10],
                )
            )
    return events


def left_for_later(visit: OpenVisit, window: Window) -> bool:
    """A routine visit whose window runs on past this plan's window is left for a later plan, without alarm."""
    return visit.latest_start > window[1] and not visit.urgent


def unassignable(visit: OpenVisit, reason: str, now: datetime) -> VisitUnassignable:
    return VisitUnassignable(
        episode_id=visit.episode_id, visit_id=visit.visit_id, reason=reason[:200], at=now, urgent=visit.urgent
    )


def pinned_events(visit_id: UUID, episode_id: UUID, staff_ids: Sequence[UUID], planned_start: datetime) -> list[Event]:
    """A coordinator's move of a planned visit: each new person is told now (a re-plan may refine the time)."""
    return [
        VisitAssigned(
            episode_id=episode_id,
            visit_id=visit_id,
            staff_id=staff_id,
            planned_start=planned_start,
            pinned=True,
            why=["pinned by the coordinator"],
        )
        for staff_id in staff_ids
    ]
