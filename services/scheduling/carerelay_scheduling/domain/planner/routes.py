"""Routes: each member of staff's clients in order, as the model sees them. A route handed on from here
meets every hard limit: the live plan is turned into routes with what has become infeasible dropped, and
the solver's routes are repaired (a visit that breaks a limit dropped, a break nobody else may take
restored to its owner) before anything reads them."""

from __future__ import annotations

from datetime import datetime

from pyvrp import ProblemData, Route, Solution

from .model import PlanningModel


def feasible(data: ProblemData, clients: list[int], vehicle_type: int) -> bool:
    return Route(data, clients, vehicle_type).is_feasible()


def keep_feasible(data: ProblemData, clients: list[int], vehicle_type: int) -> list[int]:
    """The clients in order, dropping any that would break a hard limit given those kept before it."""
    kept: list[int] = []
    for client in clients:
        if feasible(data, [*kept, client], vehicle_type):
            kept.append(client)
    return kept


def with_break(data: ProblemData, clients: list[int], break_client: int, vehicle_type: int) -> list[int] | None:
    """The route with the break where it adds least travel, or None if it fits nowhere."""
    best: tuple[int, list[int]] | None = None
    for position in range(len(clients) + 1):
        candidate = [*clients[:position], break_client, *clients[position:]]
        route = Route(data, candidate, vehicle_type)
        if route.is_feasible() and (best is None or route.distance() < best[0]):
            best = (route.distance(), candidate)
    return None if best is None else best[1]


def live_routes(model: PlanningModel) -> list[list[int]]:
    """The live plan as client routes per member of staff (what has become infeasible dropped), so a short
    re-plan starts from it and mostly inserts the new work instead of rebuilding the day."""
    wanted: list[list[tuple[int, int]]] = [[] for _ in model.staff]
    position = {s.member.staff_id: i for i, s in enumerate(model.staff)}
    for p_index in range(len(model.plannables)):
        visit = model.visit(p_index)
        for half, staff_id in enumerate(visit.current_staff):
            if staff_id in position and visit.current_start is not None:
                client = _live_client(model, p_index, half, visit.current_start)
                wanted[position[staff_id]].append((model.clock.early(visit.current_start), client))
    routes = [_live_route(model, s_index, [c for _, c in sorted(want)]) for s_index, want in enumerate(wanted)]
    return _drop_lone_halves(model, routes)


def solution_of(model: PlanningModel, routes: list[list[int]]) -> Solution | None:
    kept = [Route(model.data, clients, s_index) for s_index, clients in enumerate(routes) if clients]
    return Solution(model.data, kept) if kept else None


def _live_client(model: PlanningModel, p_index: int, half: int, start: datetime) -> int:
    """The client standing for the live plan's visit: the preferred copy when it starts in that window."""
    clients = model.clients_of[p_index]
    if len(clients) == 2 and model.jobs[clients[0]].preferred:
        preferred = model.data.client(clients[0])
        return clients[0] if preferred.tw_early <= model.clock.early(start) <= preferred.tw_late else clients[1]
    return clients[min(half, len(clients) - 1)]


def _live_route(model: PlanningModel, s_index: int, clients: list[int]) -> list[int]:
    kept = keep_feasible(model.data, clients, s_index)
    if model.break_client[s_index] < 0:
        return kept
    return with_break(model.data, kept, model.break_client[s_index], s_index) or kept


def _drop_lone_halves(model: PlanningModel, routes: list[list[int]]) -> list[list[int]]:
    """A double-handed visit is warm-started only if both halves survived."""
    placed = {c for route in routes for c in route}
    lone = {
        c
        for p_index, plannable in enumerate(model.plannables)
        if plannable.fixed_times
        for c in model.clients_of[p_index]
        if not all(other in placed for other in model.clients_of[p_index])
    }
    return [[c for c in route if c not in lone] for route in routes]


def repaired(model: PlanningModel, solution: Solution) -> tuple[list[list[int]], bool]:
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
