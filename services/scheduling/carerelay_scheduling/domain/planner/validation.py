"""Checks on the planner's input: anything here is a caller's bug or bad data, reported as
`PlanningInputError(field, reason)` before any solving, so an impossible *day* (not enough people) is never
confused with impossible *input* (a window that ends before it starts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .input import PlanningInputError, Point, StaffMember, VisitNeed

LATITUDES = (49.0, 61.0)
LONGITUDES = (-9.0, 2.0)
"""England and the UK mainland, generously: a point outside is a swapped or missing coordinate."""


def validate(staff: Sequence[StaffMember], visits: Sequence[VisitNeed]) -> None:
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
    if not (LATITUDES[0] <= point.latitude <= LATITUDES[1] and LONGITUDES[0] <= point.longitude <= LONGITUDES[1]):
        raise PlanningInputError(field, f"{owner}: ({point.latitude}, {point.longitude}) is off the map (UK only)")
