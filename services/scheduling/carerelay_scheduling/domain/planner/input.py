"""The daily planner's vocabulary: who is on shift, which visits are needed, and the plan that comes back.

These are the types the service codes against (re-exported by `planner`); they hold no solver detail, so
the solver behind them can change without the service noticing. Times are aware datetimes throughout: a
plan crosses midnight for the night team and the clocks change twice a year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol
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


@dataclass(frozen=True)
class Assignment:
    visit_id: UUID
    staff_ids: tuple[UUID, ...]
    start: datetime
    why: tuple[str, ...]
    """For the coordinator: e.g. "travel +12 min", "knows the person (5 visits)", "has skill insulin"."""


@dataclass(frozen=True)
class Unassigned:
    visit_id: UUID
    reason: str


@dataclass(frozen=True)
class DayPlan:
    assignments: dict[UUID, Assignment]
    unassigned: dict[UUID, Unassigned]
    routes: dict[UUID, list[UUID]]
    """Staff id -> visit ids in the order they are made (breaks not listed)."""
    breaks: dict[UUID, datetime]
    """Staff id -> break start, for staff with a break."""
    feasible: bool
    """The solver's plan met every hard limit and placed every break without repair (see ADR 0003)."""
    solve_seconds: float
    travel_minutes: int = 0
    """Total travel over all routes, bases included."""


@dataclass(frozen=True)
class PlanChange:
    kind: Literal["assigned", "rescheduled", "unassigned"]
    visit_id: UUID
    staff_ids: tuple[UUID, ...]
    start: datetime | None
    previous_start: datetime | None
    why: tuple[str, ...]
    reason: str | None = None


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


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance, for tests and the benchmark's synthetic county."""
    dlat = math.radians(b.latitude - a.latitude)
    dlon = math.radians(b.longitude - a.longitude)
    h = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(a.latitude)) * math.cos(math.radians(b.latitude)) * math.sin(dlon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
