"""From the solver's routes back to the coordinator's words: who makes which visit when, and why; what is
left over, and why. Everything returned meets every hard limit: if the solver's best plan did not (it ran
out of time before finding a feasible one), the offending visits are dropped here and `feasible` says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pyvrp import Route, Solution

from .eligibility import needed_skills
from .input import Assignment, DayPlan, Unassigned, VisitNeed
from .model import PlanningModel, feasible, keep_feasible, with_break

NO_CAPACITY = "no capacity in the window"
NO_PARTNER = "double-handed: no second person free at the same time"


@dataclass(frozen=True)
class Stop:
    client: int
    start: int
    travel_added: int


def sequences(model: PlanningModel, solution: Solution) -> tuple[list[list[int]], bool]:
    """Per member of staff, the clients in order, repaired to meet every hard limit; and whether the
    solver's plan needed no repair."""
    routes: list[list[int]] = [[] for _ in model.staff]
    for route in solution.routes():
        routes[route.vehicle_type()] = [activity.idx for activity in route if activity.is_client()]
    clean = solution.is_feasible()
    for s_index, clients in enumerate(routes):
        if clients and not feasible(model.data, clients, s_index):
            routes[s_index] = keep_feasible(model.data, clients, s_index)
            clean = False
    for s_index, clients in enumerate(routes):
        if any(model.jobs[c].break_of not in (-1, s_index) for c in clients):
            routes[s_index] = keep_feasible(model.data, [c for c in clients if model.jobs[c].break_of in (-1, s_index)], s_index)
            clean = False
    for s_index, own in enumerate(model.break_client):
        if own >= 0 and own not in routes[s_index]:
            routes[s_index] = _force_break(model, routes[s_index], s_index, own)
            clean = False
    return routes, clean


def _force_break(model: PlanningModel, route: list[int], s_index: int, own: int) -> list[int]:
    """A break is a hard limit: make room for it by dropping visits, those nearest the break window first."""
    window = model.data.client(own)
    middle = (window.tw_early + window.tw_late) // 2
    clients = list(route)
    schedule = {a.idx: a.start_time for a in Route(model.data, clients, s_index).schedule() if a.is_client()} if clients else {}
    while True:
        placed = with_break(model.data, clients, own, s_index)
        if placed is not None or not clients:
            return placed or []
        clients.remove(min(clients, key=lambda c: abs(schedule.get(c, middle) - middle)))


def incomplete_pairs(model: PlanningModel, routes: list[list[int]]) -> list[int]:
    """Double-handed visits (plannable indexes) with fewer than both halves placed."""
    placed = {c for route in routes for c in route}
    return [
        p_index
        for p_index, plannable in enumerate(model.plannables)
        if plannable.fixed_times and not all(c in placed for c in model.clients_of[p_index])
    ]


def day_plan(
    model: PlanningModel,
    visits: Sequence[VisitNeed],
    routes: list[list[int]],
    clean: bool,
    rejected: dict[UUID, Unassigned],
    seconds: float,
) -> DayPlan:
    placed = {c for route in routes for c in route}
    lone = {c for p_index in incomplete_pairs(model, routes) for c in model.clients_of[p_index] if c in placed}
    routes = [[c for c in route if c not in lone] for route in routes]
    stops = [_schedule(model, s_index, clients) for s_index, clients in enumerate(routes)]
    assignments = _assignments(model, visits, stops)
    unassigned = dict(rejected)
    for p_index, plannable in enumerate(model.plannables):
        visit = visits[plannable.index]
        if visit.visit_id not in assignments:
            reason = NO_PARTNER if any(c in lone for c in model.clients_of[p_index]) else NO_CAPACITY  # one half fitted
            unassigned[visit.visit_id] = Unassigned(visit.visit_id, reason)
    return DayPlan(
        assignments=assignments,
        unassigned=unassigned,
        routes=_routes(model, visits, stops),
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


def _assignments(model: PlanningModel, visits: Sequence[VisitNeed], stops: list[list[Stop]]) -> dict[UUID, Assignment]:
    made: dict[int, list[tuple[int, Stop]]] = {}
    for s_index, route in enumerate(stops):
        for stop in route:
            job = model.jobs[stop.client]
            if job.plannable >= 0:
                made.setdefault(job.plannable, []).append((s_index, stop))
    assignments: dict[UUID, Assignment] = {}
    for p_index, halves in made.items():
        visit = visits[model.plannables[p_index].index]
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


def _routes(model: PlanningModel, visits: Sequence[VisitNeed], stops: list[list[Stop]]) -> dict[UUID, list[UUID]]:
    return {
        model.staff[s_index].member.staff_id: [
            visits[model.plannables[model.jobs[stop.client].plannable].index].visit_id
            for stop in route
            if model.jobs[stop.client].plannable >= 0
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
