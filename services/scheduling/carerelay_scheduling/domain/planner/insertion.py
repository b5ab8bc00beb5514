"""Targeted insertion, for the two things a generic local search is slow at: getting an urgent visit into a
full day (it must displace routine work, which one-move-at-a-time search rarely accepts within a second),
and completing a double-handed visit whose second half the search left out (the solver sees two unrelated
halves). Each tries every eligible person, every position, and displacing up to two adjacent routine visits,
and keeps the best gain; the displaced visits go back to the solver, which may place them elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyvrp import Route

from .model import PINNED_PRIZE, PlanningModel

MAX_DISPLACED = 2


@dataclass(frozen=True)
class Option:
    gain: int
    staff: int
    route: list[int]


def insert_best(
    model: PlanningModel, routes: list[list[int]], clients: list[int], staff: Iterable[int], value: int | None = None
) -> bool:
    """Put one of `clients` (alternatives: e.g. a visit's preferred and hard-window copies) in the route where
    the gain (its prize, or `value`, less added travel and soft costs, less displaced prizes) is largest.
    Changes `routes` in place; False if no placement gains anything."""
    best: Option | None = None
    for s_index in staff:
        for client in clients:
            option = _best_in_route(model, routes[s_index], s_index, client, value or model.data.client(client).prize)
            if option is not None and (best is None or option.gain > best.gain):
                best = option
    if best is None:
        return False
    routes[best.staff] = best.route
    return True


def _best_in_route(model: PlanningModel, route: list[int], s_index: int, client: int, value: int) -> Option | None:
    data = model.data
    before = Route(data, route, s_index).distance() if route else 0
    best: Option | None = None
    for start, count in _displacements(model, route):
        kept = route[:start] + route[start + count :]
        loss = sum(data.client(c).prize for c in route[start : start + count])
        positions = range(len(kept) + 1) if count == 0 else range(max(0, start - 1), min(len(kept), start + 1) + 1)
        for position in positions:
            candidate = [*kept[:position], client, *kept[position:]]
            trial = Route(data, candidate, s_index)
            if not trial.is_feasible():
                continue
            gain = value - (trial.distance() - before) - loss
            if gain > 0 and (best is None or gain > best.gain):
                best = Option(gain, s_index, candidate)
    return best


def _displacements(model: PlanningModel, route: list[int]) -> list[tuple[int, int]]:
    """(start, count) of runs of routine visits that may be displaced; (0, 0) means displacing nothing."""
    movable = [_routine(model, c) for c in route]
    found = [(0, 0)]
    for count in range(1, MAX_DISPLACED + 1):
        found += [(start, count) for start in range(len(route) - count + 1) if all(movable[start : start + count])]
    return found


def _routine(model: PlanningModel, client: int) -> bool:
    job = model.jobs[client]
    if job.plannable < 0 or model.plannables[job.plannable].fixed_times:
        return False  # breaks are hard; double-handed halves would strand their partner
    return model.data.client(client).prize < PINNED_PRIZE


def insert_urgent(model: PlanningModel, routes: list[list[int]]) -> None:
    """Urgent visits missing from the live plan, placed before the search starts (see module docstring)."""
    placed = {c for route in routes for c in route}
    for p_index, plannable in enumerate(model.plannables):
        clients = model.clients_of[p_index]
        if plannable.fixed_times or any(c in placed for c in clients) or model.data.client(clients[-1]).prize < PINNED_PRIZE:
            continue
        insert_best(model, routes, clients, sorted(plannable.eligible[0]))


def complete_pairs(model: PlanningModel, routes: list[list[int]]) -> None:
    """Give each double-handed visit with one half placed its second person, if anyone can be there then."""
    where = {c: s for s, route in enumerate(routes) for c in route}
    for p_index, plannable in enumerate(model.plannables):
        halves = model.clients_of[p_index]
        if not plannable.fixed_times or sum(c in where for c in halves) != 1:
            continue
        placed = next(c for c in halves if c in where)
        missing = next(c for c in halves if c not in where)
        allowed = sorted(plannable.eligible[model.jobs[missing].half] - {where[placed]})
        if insert_best(model, routes, [missing], allowed, value=2 * model.data.client(missing).prize):
            where = {c: s for s, route in enumerate(routes) for c in route}
