"""Care plans become visits: each line ("a carer twice a day, morning and evening, for 5 weeks") gives
one visit per day per preferred window, a few days ahead at a time (the planner's horizon); the
rest are made as the days come. Declined visits are kept on the plan and never planned.

The window agreed with the person is the *preferred* time (a soft cost for the planner); the hard
window around it is an hour either side, within the day team's 07:00-22:00 when the agreed window is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from carerelay_contract.parts import RecurringVisit
from carerelay_contract.visit import VisitCancelled, VisitPlanned

from .rota import LONDON

DAYS_AHEAD = 2
"""Visits are made for today and this many days ahead; the planner tick makes later days as they come."""
TOLERANCE = timedelta(hours=1)
DAY_TEAM = (time(7, 0), time(22, 0))


@dataclass(frozen=True)
class Slot:
    """One visit a care plan line asks for: its day and window, in UTC."""

    discipline: str
    earliest_start: datetime
    latest_start: datetime
    preferred_start: datetime
    preferred_end: datetime


def slots(line: RecurringVisit, day: date) -> list[Slot]:
    """The visits one line of a care plan asks for on a local day (none outside its dates)."""
    if not line.starts_on <= day <= line.ends_on:
        return []
    duration = timedelta(minutes=line.duration_minutes)
    made = []
    for window in line.preferred_windows:
        preferred_start = datetime.combine(day, window.start, LONDON)
        preferred_end = max(preferred_start, datetime.combine(day, window.end, LONDON) - duration)
        earliest, latest = preferred_start - TOLERANCE, preferred_end + TOLERANCE
        day_start, day_end = datetime.combine(day, DAY_TEAM[0], LONDON), datetime.combine(day, DAY_TEAM[1], LONDON) - duration
        if day_start <= preferred_start and preferred_end <= day_end:
            earliest, latest = max(earliest, day_start), min(latest, day_end)
        made.append(
            Slot(
                discipline=line.discipline,
                earliest_start=earliest.astimezone(UTC),
                latest_start=latest.astimezone(UTC),
                preferred_start=preferred_start.astimezone(UTC),
                preferred_end=preferred_end.astimezone(UTC),
            )
        )
    return made


Wanted = dict[tuple[datetime, str], tuple[RecurringVisit, Slot]]
"""The visits a plan asks for, by (hard window's start, discipline): one visit per slot."""


def wanted(lines: Iterable[RecurringVisit], now: datetime, through: date) -> Wanted:
    """The slots the plan's lines ask for from now through the local day `through` (those whose window
    has not yet passed)."""
    today = now.astimezone(LONDON).date()
    found: Wanted = {}
    for day in (today + timedelta(days=n) for n in range((through - today).days + 1)):
        for line in lines:
            for slot in slots(line, day):
                if slot.latest_start >= now:
                    found[(slot.earliest_start, slot.discipline)] = (line, slot)
    return found


@dataclass(frozen=True)
class MadeVisit:
    """A visit already made for a care plan, still to happen."""

    visit_id: UUID
    earliest_start: datetime
    discipline: str


def no_longer_wanted(made: Iterable[MadeVisit], asked: Wanted, through: date) -> list[UUID]:
    """The visits made for the plan up to `through` that it no longer asks for (a changed plan)."""
    return [
        visit.visit_id
        for visit in made
        if (visit.earliest_start, visit.discipline) not in asked and visit.earliest_start.astimezone(LONDON).date() <= through
    ]


def cancelled(episode_id: UUID, visit_id: UUID, now: datetime) -> VisitCancelled:
    return VisitCancelled(episode_id=episode_id, visit_id=visit_id, cancelled_at=now, reason="care plan changed")


def planned(episode_id: UUID, care_plan_id: UUID, visit_id: UUID, line: RecurringVisit, slot: Slot) -> VisitPlanned:
    return VisitPlanned(
        episode_id=episode_id,
        visit_id=visit_id,
        purpose=line.purpose,
        discipline=slot.discipline,
        earliest_start=slot.earliest_start,
        latest_start=slot.latest_start,
        duration_minutes=line.duration_minutes,
        required_skills=list(line.required_skills),
        double_handed=line.double_handed,
        care_plan_id=care_plan_id,
    )


def horizon_day(now: datetime) -> date:
    """The last local day whose visits are made now (the rest as days come)."""
    return now.astimezone(LONDON).date() + timedelta(days=DAYS_AHEAD)
