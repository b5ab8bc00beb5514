"""What came back, in the coordinator's words: who makes which visit when, and why; what is left over,
and why; and what changed from the live plan. Everything returned meets every hard limit: if the solver's
best plan did not (it ran out of time before finding a feasible one), the routes were repaired and
`feasible` says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from pyvrp import Route

from .eligibility import needed_skills
from .input import VisitNeed
from .model import PlanningModel
from .routes import incomplete_pairs

NO_CAPACITY = "no capacity in the window"
NO_PARTNER = "double-handed: no second person free at the same time"


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


@dataclass(frozen=True)
class Stop:
    client: int
    start: int
    travel_added: int


def unplanned(visits: Sequence[VisitNeed], reasons: dict[UUID, str], seconds: float) -> DayPlan:
    """A plan with nobody to make any visit: each visit unassigned with its reason."""
    unassigned = {v.visit_id: Unassigned(v.visit_id, reasons[v.visit_id]) for v in visits if v.visit_id in reasons}
    return DayPlan({}, unassigned, {}, {}, True, seconds)


def day_plan(model: PlanningModel, routes: list[list[int]], clean: bool, rejected: dict[UUID, str], seconds: float) -> DayPlan:
    """The plan the (repaired) routes make; `rejected` are the visits nobody could make, with the reason."""
    placed = {c for route in routes for c in route}
    lone = {c for p_index in incomplete_pairs(model, routes) for c in model.clients_of[p_index] if c in placed}
    routes = [[c for c in route if c not in lone] for route in routes]
    stops = [_schedule(model, s_index, clients) for s_index, clients in enumerate(routes)]
    assignments = _assignments(model, stops)
    unassigned = {visit_id: Unassigned(visit_id, reason) for visit_id, reason in rejected.items()}
    for p_index in range(len(model.plannables)):
        visit = model.visit(p_index)
        if visit.visit_id not in assignments:
            reason = NO_PARTNER if any(c in lone for c in model.clients_of[p_index]) else NO_CAPACITY  # one half fitted
            unassigned[visit.visit_id] = Unassigned(visit.visit_id, reason)
    return DayPlan(
        assignments=assignments,
        unassigned=unassigned,
        routes=_routes(model, stops),
        breaks=_breaks(model, stops),
        feasible=clean,
        solve_seconds=seconds,
        travel_minutes=sum(Route(model.data, clients, s).travel_duration() for s, clients in enumerate(routes) if clients),
    )


def _schedule(model: PlanningModel, s_index: int, clients: list[int]) -> list[Stop]:
    if not clients:
        return []
    staff = model.staff[s_index]
    travel = model.places.travel
    locs = [staff.start_loc, *(model.data.client(c).location for c in clients), staff.base_loc]
    starts = [a.start_time for a in Route(model.data, clients, s_index).schedule() if a.is_client()]
    return [
        Stop(c, start, int(travel[locs[i], locs[i + 1]] + travel[locs[i + 1], locs[i + 2]] - travel[locs[i], locs[i + 2]]))
        for i, (c, start) in enumerate(zip(clients, starts, strict=True))
    ]


def _assignments(model: PlanningModel, stops: list[list[Stop]]) -> dict[UUID, Assignment]:
    made: dict[int, list[tuple[int, Stop]]] = {}
    for s_index, route in enumerate(stops):
        for stop in route:
            job = model.jobs[stop.client]
            if job.plannable >= 0:
                made.setdefault(job.plannable, []).append((s_index, stop))
    assignments: dict[UUID, Assignment] = {}
    for p_index, halves in made.items():
        visit = model.visit(p_index)
        halves.sort(key=lambda half: model.jobs[half[1].client].half)
        staff_ids = tuple(model.staff[s].member.staff_id for s, _ in halves)
        start = halves[0][1].start
        assignments[visit.visit_id] = Assignment(
            visit.visit_id, staff_ids, model.clock.at(start), _why(model, visit, p_index, halves)
        )
    return assignments


def _why(model: PlanningModel, visit: VisitNeed, p_index: int, halves: list[tuple[int, Stop]]) -> tuple[str, ...]:
    """What a coordinator needs to trust (or overrule) the choice."""
    reasons = ["travel " + " and ".join(f"+{stop.travel_added} min" for _, stop in halves)]
    for s_index, _ in halves:
        count = visit.familiar_staff.get(model.staff[s_index].member.staff_id, 0)
        if count > 0:
            reasons.append(f"knows the person ({count} visit{'s' if count != 1 else ''})")
    reasons += [f"has skill {skill}" for skill in sorted(needed_skills(visit))]
    if visit.pinned_staff:
        reasons.append("pinned by coordinator")
    if visit.urgent:
        reasons.append("urgent")
    preferred = model.plannables[p_index].preferred
    if preferred is not None:
        start = halves[0][1].start
        reasons.append("in the preferred window" if preferred[0] <= start <= preferred[1] else "outside the preferred window")
    staff_ids = {model.staff[s].member.staff_id for s, _ in halves}
    if visit.current_staff and staff_ids == set(visit.current_staff):
        reasons.append("same staff as the live plan")
    return tuple(reasons)


def _routes(model: PlanningModel, stops: list[list[Stop]]) -> dict[UUID, list[UUID]]:
    return {
        model.staff[s_index].member.staff_id: [
            model.visit(model.jobs[stop.client].plannable).visit_id for stop in route if model.jobs[stop.client].plannable >= 0
        ]
        for s_index, route in enumerate(stops)
    }


def _breaks(model: PlanningModel, stops: list[list[Stop]]) -> dict[UUID, datetime]:
    return {
        model.staff[s_index].member.staff_id: model.clock.at(stop.start)
        for s_index, route in enumerate(stops)
        for stop in route
        if model.jobs[stop.client].break_of >= 0
    }


def changes(visits: Sequence[VisitNeed], plan: DayPlan) -> list[PlanChange]:
    """Only what differs from each visit's live plan (current_staff / current_start): what a coordinator,
    the staff and the person need to be told after a re-plan."""
    found: list[PlanChange] = []
    for visit in visits:
        change = _change(visit, plan)
        if change is not None:
            found.append(change)
    return found


def _change(visit: VisitNeed, plan: DayPlan) -> PlanChange | None:
    assignment = plan.assignments.get(visit.visit_id)
    if assignment is None:
        if not visit.current_staff:
            return None
        missing = plan.unassigned.get(visit.visit_id)
        reason = missing.reason if missing else "not in the plan"
        return PlanChange("unassigned", visit.visit_id, (), None, visit.current_start, (), reason)
    if set(assignment.staff_ids) != set(visit.current_staff):
        return PlanChange("assigned", visit.visit_id, assignment.staff_ids, assignment.start, visit.current_start, assignment.why)
    if visit.current_start is None or abs(assignment.start - visit.current_start) >= timedelta(minutes=1):
        return PlanChange(
            "rescheduled", visit.visit_id, assignment.staff_ids, assignment.start, visit.current_start, assignment.why
        )
    return None
