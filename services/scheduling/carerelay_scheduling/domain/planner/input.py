"""What a plan is asked for: who is on shift, which visits are needed, how long travel takes; and the
checks on it. Anything `validate` refuses is a caller's bug or bad data, reported as
`PlanningInputError(field, reason)` before any solving, so an impossible *day* (not enough people) is never
confused with impossible *input* (a window that ends before it starts).

These types hold no solver detail, so the solver behind them can change without the service noticing.
Times are aware datetimes throughout: a plan crosses midnight for the night team and the clocks change
twice a year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

import numpy as np
import numpy.typing as npt

DOUBLE_HANDED_SKILL = "double-handed-moving"
"""Both people on a double-handed visit need it (moving and handling training), whatever else the visit asks."""

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime
    break_minutes: int = 0
    """0 = no break in this shift."""
    break_earliest: datetime | None = None
    """The break starts within [break_earliest, break_latest]."""
    break_latest: datetime | None = None


@dataclass(frozen=True)
class StaffMember:
    staff_id: UUID
    discipline: str
    """nurse, occupational-therapist, physiotherapist, social-worker, healthcare-assistant, reablement-worker, carer."""
    skills: frozenset[str]
    base: Point
    """The shift starts and ends here (and the break is taken here)."""
    shift: Shift
    available_from: datetime | None = None
    """Re-planning: free from this time ... (default: the shift start)."""
    available_at: Point | None = None
    """... at this place, e.g. the end of the visit they are on (default: the base)."""


@dataclass(frozen=True)
class VisitNeed:
    visit_id: UUID
    person_ref: UUID
    """The episode: same person => same home; continuity is per person."""
    location: Point
    earliest_start: datetime
    """Hard window for the start of the visit."""
    latest_start: datetime
    duration_minutes: int
    disciplines: frozenset[str]
    """Any of these may make the visit."""
    required_skills: frozenset[str] = frozenset()
    double_handed: bool = False
    """Two people, there at the same time (both need DOUBLE_HANDED_SKILL)."""
    urgent: bool = False
    """Rapid / 2-hour UCR first response: planned before any routine visit if at all possible."""
    preferred_start: datetime | None = None
    """Soft: the window agreed with the person for the start of the visit (within the hard window)."""
    preferred_end: datetime | None = None
    familiar_staff: Mapping[UUID, int] = field(default_factory=dict)
    """Staff id -> visits they made to this person (continuity, soft)."""
    current_staff: tuple[UUID, ...] = ()
    """In the live plan now (warm start, and the cost of disrupting it, soft)."""
    current_start: datetime | None = None
    pinned_staff: tuple[UUID, ...] = ()
    """A coordinator pinned it to these people: hard."""


class PlanningInputError(ValueError):
    """Input no plan can be made from (a caller's bug or bad data, not an impossible day)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class TravelTimes(Protocol):
    """Minutes of travel between places; a road-routing engine can stand in for `TravelModel` here."""

    def minutes(self, a: Point, b: Point) -> int: ...

    def matrix(self, points: Sequence[Point]) -> npt.NDArray[np.int64]:
        """Minutes from each point (row) to each point (column); 0 on the diagonal."""
        ...


@dataclass(frozen=True)
class TravelModel:
    """Straight-line (haversine) distance at a steady speed, never less than `minimum_minutes` between two
    different places: crude, but honest about being crude, and the same numbers in the planner and its checks."""

    speed_kmh: float = 30.0
    minimum_minutes: int = 2

    def minutes(self, a: Point, b: Point) -> int:
        return int(self.matrix([a, b])[0, 1])

    def matrix(self, points: Sequence[Point]) -> npt.NDArray[np.int64]:
        lat = np.radians(np.array([p.latitude for p in points], dtype=np.float64))
        lon = np.radians(np.array([p.longitude for p in points], dtype=np.float64))
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        minutes = np.rint(km / self.speed_kmh * 60)
        result: npt.NDArray[np.int64] = np.maximum(minutes, self.minimum_minutes).astype(np.int64)
        result[km < 1e-6] = 0
        return result


LATITUDES = (49.0, 61.0)
LONGITUDES = (-9.0, 2.0)
"""Great Britain, generously: a point outside is a swapped or missing coordinate."""


def on_the_map(point: Point) -> bool:
    return LATITUDES[0] <= point.latitude <= LATITUDES[1] and LONGITUDES[0] <= point.longitude <= LONGITUDES[1]


def validate(staff: Sequence[StaffMember], visits: Sequence[VisitNeed], now: datetime | None = None) -> None:
    """Raise PlanningInputError for the first thing no plan can be made from."""
    seen_staff: set[object] = set()
    for member in staff:
        if member.staff_id in seen_staff:
            raise PlanningInputError("staff_id", f"staff {member.staff_id} is listed twice")
        seen_staff.add(member.staff_id)
        _check_staff(member)
    seen_visits: set[object] = set()
    for visit in visits:
        if visit.visit_id in seen_visits:
            raise PlanningInputError("visit_id", f"visit {visit.visit_id} is listed twice")
        seen_visits.add(visit.visit_id)
        _check_visit(visit)
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise PlanningInputError("now", "naive datetime (give a timezone)")


def _check_staff(member: StaffMember) -> None:
    who = f"staff {member.staff_id}"
    shift = member.shift
    for name, value in (
        ("shift.start", shift.start),
        ("shift.end", shift.end),
        ("shift.break_earliest", shift.break_earliest),
        ("shift.break_latest", shift.break_latest),
        ("available_from", member.available_from),
    ):
        _aware(value, name, who)
    if shift.end <= shift.start:
        raise PlanningInputError("shift.end", f"{who}: the shift ends before it starts")
    _on_the_map(member.base, "base", who)
    if member.available_at is not None:
        _on_the_map(member.available_at, "available_at", who)
    if shift.break_minutes < 0:
        raise PlanningInputError("shift.break_minutes", f"{who}: a break cannot be negative")
    if shift.break_minutes > 0:
        _check_break(member, who)


def _check_break(member: StaffMember, who: str) -> None:
    shift = member.shift
    if shift.break_earliest is None or shift.break_latest is None:
        raise PlanningInputError("shift.break_earliest", f"{who}: a break needs its window (earliest and latest start)")
    if shift.break_latest < shift.break_earliest:
        raise PlanningInputError("shift.break_latest", f"{who}: the break window ends before it starts")
    if shift.break_earliest < shift.start or shift.break_latest > shift.end:
        raise PlanningInputError("shift.break_earliest", f"{who}: the break window is outside the shift")


def _check_visit(visit: VisitNeed) -> None:
    what = f"visit {visit.visit_id}"
    for name, value in (
        ("earliest_start", visit.earliest_start),
        ("latest_start", visit.latest_start),
        ("preferred_start", visit.preferred_start),
        ("preferred_end", visit.preferred_end),
        ("current_start", visit.current_start),
    ):
        _aware(value, name, what)
    if visit.latest_start < visit.earliest_start:
        raise PlanningInputError("latest_start", f"{what}: the window ends before it starts")
    if visit.duration_minutes <= 0:
        raise PlanningInputError("duration_minutes", f"{what}: a visit must last at least a minute")
    if not visit.disciplines:
        raise PlanningInputError("disciplines", f"{what}: no discipline may make it")
    _on_the_map(visit.location, "location", what)
    if (visit.preferred_start is None) != (visit.preferred_end is None):
        raise PlanningInputError("preferred_end", f"{what}: a preferred window needs both its start and its end")
    if visit.preferred_start is not None and visit.preferred_end is not None and visit.preferred_end < visit.preferred_start:
        raise PlanningInputError("preferred_end", f"{what}: the preferred window ends before it starts")
    if visit.double_handed and len(visit.current_staff) > 2:
        raise PlanningInputError("current_staff", f"{what}: a double-handed visit has two people, not more")


def _aware(value: datetime | None, field: str, owner: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise PlanningInputError(field, f"{owner}: naive datetime (give a timezone)")


def _on_the_map(point: Point, field: str, owner: str) -> None:
    if not on_the_map(point):
        raise PlanningInputError(field, f"{owner}: ({point.latitude}, {point.longitude}) is off the map (UK only)")
