"""Who could make each visit, before any solving: the hard limits that need no search (discipline, skills,
shift, pin, reaching the person before the deadline) are applied here, so a visit nobody can make comes
back with the precise reason a coordinator can act on, instead of the solver's vague "left over"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import numpy as np
import numpy.typing as npt

from .input import DOUBLE_HANDED_SKILL, Point, StaffMember, TravelTimes, VisitNeed

Matrix = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Clock:
    """Whole minutes from the day's origin (the earliest shift start): the solver's time unit. Earliest times
    round up and latest times round down, so a plan in minutes never breaks a window given in seconds."""

    origin: datetime
    floor: int = 0
    """Re-planning: nothing starts before this minute (now)."""

    def early(self, moment: datetime) -> int:
        return math.ceil((moment - self.origin).total_seconds() / 60 - 1e-9)

    def late(self, moment: datetime) -> int:
        return math.floor((moment - self.origin).total_seconds() / 60 + 1e-9)

    def at(self, minute: int) -> datetime:
        return self.origin + timedelta(minutes=minute)


@dataclass(frozen=True)
class Availability:
    """One member of staff as the solver sees them: free [start, end] from `start_loc`, back to `base_loc`."""

    member: StaffMember
    start: int
    end: int
    start_loc: int
    base_loc: int
    break_window: tuple[int, int, int] | None
    """(earliest start, latest start, minutes) of a break still to take; None if none is due."""
    break_loc: int = -1


@dataclass(frozen=True)
class Places:
    """Every place the solver knows: one per base or re-planning position (by point), one per person's home."""

    points: list[Point]
    travel: Matrix
    home_of: dict[UUID, int]
    staff_point: dict[Point, int]
    break_loc: dict[UUID, int]
    """Per member of staff with a break: their own copy of their base, so only they can take that break."""


@dataclass(frozen=True)
class Plannable:
    """A visit that at least one person (two, if double-handed) could make, with who may make each half."""

    index: int
    loc: int
    early: int
    late: int
    preferred: tuple[int, int] | None
    eligible: tuple[frozenset[int], ...]
    """Availability indexes who may make it: one set, or one per half of a double-handed visit."""
    fixed_times: tuple[int, ...] = ()
    """Double-handed only: start times (best first) at which two eligible people could both be there."""


@dataclass(frozen=True)
class Eligibility:
    """The day before any search: its clock and places, who is free when, the visits someone could make,
    and the reason for each visit nobody can."""

    visits: Sequence[VisitNeed]
    clock: Clock
    places: Places
    staff: list[Availability]
    plannables: list[Plannable]
    rejected: dict[UUID, str]
    """Visit id -> why nobody can make it (the reason a coordinator reads)."""


def eligibility(
    staff: Sequence[StaffMember], visits: Sequence[VisitNeed], travel: TravelTimes, now: datetime | None
) -> Eligibility:
    """Who may make what, for staff and visits already validated (at least one member of staff). When
    re-planning, nothing starts before `now`."""
    origin = min(member.shift.start for member in staff)
    clock = Clock(origin=origin, floor=max(0, Clock(origin).early(now)) if now is not None else 0)
    places = build_places(staff, visits, travel)
    available = availabilities(staff, clock, places)
    plannables: list[Plannable] = []
    rejected: dict[UUID, str] = {}
    for index, visit in enumerate(visits):
        verdict = assess(visit, index, clock, places, available)
        if isinstance(verdict, str):
            rejected[visit.visit_id] = verdict
        else:
            plannables.append(verdict)
    return Eligibility(visits, clock, places, available, plannables, rejected)


def build_places(staff: Sequence[StaffMember], visits: Sequence[VisitNeed], travel: TravelTimes) -> Places:
    points: list[Point] = []
    by_point: dict[Point, int] = {}
    for member in staff:
        for point in (member.base, member.available_at or member.base):
            if point not in by_point:
                by_point[point] = len(points)
                points.append(point)
    break_loc: dict[UUID, int] = {}
    for member in staff:
        if member.shift.break_minutes > 0:
            break_loc[member.staff_id] = len(points)
            points.append(member.base)
    home_of: dict[UUID, int] = {}
    for visit in visits:
        if visit.person_ref not in home_of:
            home_of[visit.person_ref] = len(points)
            points.append(visit.location)
    return Places(points=points, travel=travel.matrix(points), home_of=home_of, staff_point=by_point, break_loc=break_loc)


def availabilities(staff: Sequence[StaffMember], clock: Clock, places: Places) -> list[Availability]:
    """Staff still free for some of their shift, with the break they still have to take (at their base)."""
    found: list[Availability] = []
    index = places.staff_point
    for member in staff:
        start = clock.early(max(member.shift.start, member.available_from or member.shift.start))
        end = clock.late(member.shift.end)
        start_loc = index[member.available_at or member.base]
        base_loc = index[member.base]
        if start >= end:
            continue
        due = _break_due(member, clock, start, int(places.travel[start_loc, base_loc]))
        found.append(Availability(member, start, end, start_loc, base_loc, due, places.break_loc[member.staff_id] if due else -1))
    return found


def _break_due(member: StaffMember, clock: Clock, start: int, to_base: int) -> tuple[int, int, int] | None:
    shift = member.shift
    if shift.break_minutes <= 0 or shift.break_earliest is None or shift.break_latest is None:
        return None
    earliest = max(clock.early(shift.break_earliest), start + to_base, clock.floor)
    latest = clock.late(shift.break_latest)
    if earliest > latest:
        return None  # taken already, or the window has passed while they were out
    return (earliest, latest, shift.break_minutes)


def assess(visit: VisitNeed, index: int, clock: Clock, places: Places, staff: Sequence[Availability]) -> Plannable | str:
    """Who could make this visit, or why nobody can (the reason a coordinator reads)."""
    early, late = max(clock.floor, clock.early(visit.earliest_start)), clock.late(visit.latest_start)
    loc = places.home_of[visit.person_ref]
    on_shift = [i for i, s in enumerate(staff) if s.start <= late and s.end >= max(early, s.start) + visit.duration_minutes]
    by_discipline = [i for i in on_shift if staff[i].member.discipline in visit.disciplines]
    if not by_discipline:
        return f"no {' or '.join(sorted(visit.disciplines))} on shift"
    skills = needed_skills(visit)
    skilled = [i for i in by_discipline if skills <= staff[i].member.skills]
    if not skilled:
        return _missing_skills(skills, [staff[i].member for i in by_discipline])
    if visit.pinned_staff:
        skilled = [i for i in skilled if staff[i].member.staff_id in visit.pinned_staff]
        if not skilled:
            return "pinned staff are not on shift or not qualified for it"
    reachable = [i for i in skilled if _first_start(staff[i], loc, early, visit.duration_minutes, places.travel) <= late]
    if not reachable:
        return "deadline cannot be met"
    preferred = _preferred(visit, clock, early, late)
    if not visit.double_handed:
        return Plannable(index, loc, early, late, preferred, (frozenset(reachable),))
    return _pair(visit, index, loc, (early, late), preferred, reachable, staff, places.travel, clock)


def needed_skills(visit: VisitNeed) -> frozenset[str]:
    return visit.required_skills | {DOUBLE_HANDED_SKILL} if visit.double_handed else visit.required_skills


def _missing_skills(skills: frozenset[str], members: Sequence[StaffMember]) -> str:
    nobody = sorted(skill for skill in skills if not any(skill in m.skills for m in members))
    if nobody:
        return f"no one with skill {' and '.join(nobody)} on shift"
    return f"no one with skills {' and '.join(sorted(skills))} together on shift"


def _first_start(s: Availability, loc: int, early: int, duration: int, travel: Matrix) -> int:
    """The earliest start `s` can make at `loc`, or a huge number if they could not get back to base in time."""
    start = max(s.start + int(travel[s.start_loc, loc]), early)
    return start if start + duration + int(travel[loc, s.base_loc]) <= s.end else 2**40


def _preferred(visit: VisitNeed, clock: Clock, early: int, late: int) -> tuple[int, int] | None:
    """The preferred start window, clipped to the hard one; None when absent or when it constrains nothing."""
    if visit.preferred_start is None or visit.preferred_end is None:
        return None
    start, end = max(early, clock.early(visit.preferred_start)), min(late, clock.late(visit.preferred_end))
    if start > end or (start <= early and end >= late):
        return None
    return (start, end)


def _pair(
    visit: VisitNeed,
    index: int,
    loc: int,
    window: tuple[int, int],
    preferred: tuple[int, int] | None,
    reachable: list[int],
    staff: Sequence[Availability],
    travel: Matrix,
    clock: Clock,
) -> Plannable | str:
    """The two halves of a double-handed visit: who may make each, and start times two of them could both make."""
    halves = _halves(visit, reachable, staff)
    if halves is None:
        return "double-handed: fewer than two people able to go"
    times = [t for t in _candidate_times(visit, window, preferred, clock) if _two_can_make(halves, t, loc, visit, staff, travel)]
    if not times:
        return "double-handed: no two people able to be there at the same time"
    return Plannable(index, loc, window[0], window[1], preferred, halves, tuple(times))


def _halves(
    visit: VisitNeed, reachable: list[int], staff: Sequence[Availability]
) -> tuple[frozenset[int], frozenset[int]] | None:
    everyone = frozenset(reachable)
    pinned = [i for i in reachable if staff[i].member.staff_id in visit.pinned_staff]
    if len(visit.pinned_staff) == 1 and pinned:
        first, second = frozenset(pinned), everyone - frozenset(pinned)
    else:
        first = second = everyone
    if not first or not second or len(first | second) < 2:
        return None
    return first, second


def _candidate_times(visit: VisitNeed, window: tuple[int, int], preferred: tuple[int, int] | None, clock: Clock) -> list[int]:
    """The live plan's time first (stability), then the preferred window, then spread over the hard window."""
    early, late = window
    wanted: list[int] = []
    if visit.current_start is not None:
        wanted.append(clock.early(visit.current_start))
    if preferred is not None:
        wanted += [preferred[0], (preferred[0] + preferred[1]) // 2]
    wanted += [early, (early + late) // 2, late, (3 * early + late) // 4, (early + 3 * late) // 4]
    times: list[int] = []
    for t in wanted:
        if early <= t <= late and t not in times:
            times.append(t)
    return times


def _two_can_make(
    halves: tuple[frozenset[int], frozenset[int]],
    t: int,
    loc: int,
    visit: VisitNeed,
    staff: Sequence[Availability],
    travel: Matrix,
) -> bool:
    can = [frozenset(i for i in half if _first_start(staff[i], loc, t, visit.duration_minutes, travel) == t) for half in halves]
    return bool(can[0]) and bool(can[1]) and len(can[0] | can[1]) >= 2
