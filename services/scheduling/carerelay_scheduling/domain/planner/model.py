"""The day as a PyVRP problem (ADR 0003): one vehicle per member of staff, one location per home, minutes as
the unit. Hard limits become what the solver cannot violate in a feasible plan (load dimensions with zero
capacity, fixed time windows, required breaks); soft wishes become costs in a per-staff distance matrix
(continuity, disruption) or prizes (urgent, preferred windows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, Route, Solution, VehicleType

from .eligibility import Availability, Clock, Matrix, Places, Plannable
from .input import VisitNeed

ROUTINE_PRIZE = 1_000
"""Worth far more than any detour, so a visit is only left out when it cannot be fitted at all."""
PINNED_PRIZE = 5_000
URGENT_PRIZE = 20_000
"""Beats many routine visits (a 2-hour response displaces routine work), yet stays below PyVRP's largest
penalty for a minute of lateness, so the search still converges on plans that keep every window."""
PREFERRED_BONUS = 90
"""Meeting the person's agreed window is worth up to 90 minutes of extra travel: the time agreed with
them matters more than a carer's detour (Mrs A's routine), though never more than making the visit."""
UNFAMILIAR_COST = 20
"""Sending someone who has never been to a person who has familiar carers costs as 20 minutes of travel;
someone who has been n times costs 20 / (n + 1), so the most familiar carer wins a near tie."""
DISRUPTION_COST = 120
"""Re-planning: giving a person's visit to someone not in the live plan for that person costs as two hours of
travel: every such move means phone calls (the staff, the person), so a re-plan inserts rather than reshuffles."""
NOT_THEIRS = 1_000_000
"""Entering someone else's break location: far costlier than any plan, so a break is only ever taken by its
owner (each break has its own location and every other member of staff's profile carries this cost)."""
LIVE_PLAN_BONUS = ROUTINE_PRIZE // 2
"""Re-planning: a visit in the live plan is worth half as much again, so it is not dropped to fit in another
routine visit, only for something that matters more (an urgent or pinned visit)."""


@dataclass(frozen=True)
class Job:
    """What one PyVRP client stands for: (a copy of) a visit, one half of a double-handed visit, or a break."""

    plannable: int
    """Index into the model's plannables; -1 for a break."""
    half: int = 0
    preferred: bool = False
    break_of: int = -1
    """For a break: the member of staff (index) whose break it is."""


@dataclass(frozen=True)
class PlanningModel:
    data: ProblemData
    jobs: list[Job]
    staff: list[Availability]
    plannables: list[Plannable]
    places: Places
    clients_of: list[list[int]]
    """Per plannable: its clients (a visit, its preferred and hard copies, or its two halves)."""
    break_client: list[int]
    """Per member of staff: the client that is their break, or -1 if no break is due."""
    fixed_choice: dict[int, int]
    """Double-handed plannable -> index into its fixed_times used in this model."""
    clock: Clock


def build_model(
    visits: Sequence[VisitNeed],
    staff: list[Availability],
    plannables: list[Plannable],
    places: Places,
    clock: Clock,
    fixed_choice: dict[int, int],
) -> PlanningModel:
    dims = _eligibility_dims(plannables, len(staff))
    jobs: list[Job] = []
    clients: list[Client] = []
    groups: list[ClientGroup] = []
    clients_of: list[list[int]] = []
    for p_index, plannable in enumerate(plannables):
        visit = visits[plannable.index]
        made = _visit_clients(p_index, plannable, visit, dims, fixed_choice.get(p_index, 0), len(groups))
        if made[0][0].group is not None:
            groups.append(ClientGroup([len(clients), len(clients) + 1], required=False))
        clients_of.append(list(range(len(clients), len(clients) + len(made))))
        clients += [client for client, _ in made]
        jobs += [job for _, job in made]
    break_client = [-1] * len(staff)
    for s_index, s in enumerate(staff):
        if s.break_window is not None:
            early, late, minutes = s.break_window
            break_client[s_index] = len(clients)
            clients.append(
                Client(
                    s.break_loc,
                    delivery=[0] * len(dims),
                    service_duration=minutes,
                    tw_early=early,
                    tw_late=late,
                    required=True,
                    name="break",
                )
            )
            jobs.append(Job(plannable=-1, break_of=s_index))
    data = _problem_data(staff, places, visits, plannables, clients, groups, _capacities(staff, dims, clients))
    return PlanningModel(data, jobs, staff, plannables, places, clients_of, break_client, dict(fixed_choice), clock)


def _eligibility_dims(plannables: list[Plannable], num_staff: int) -> dict[frozenset[int], int]:
    """One load dimension per distinct set of people allowed to make a visit (everyone needs none): staff
    outside the set have capacity 0 in it, so giving them the visit is infeasible, not merely expensive."""
    everyone = frozenset(range(num_staff))
    dims: dict[frozenset[int], int] = {}
    for plannable in plannables:
        for allowed in plannable.eligible:
            if allowed != everyone and allowed not in dims:
                dims[allowed] = len(dims)
    return dims


def _unit(dim: int | None, num_dims: int) -> list[int]:
    vector = [0] * num_dims
    if dim is not None:
        vector[dim] = 1
    return vector


def _visit_clients(
    p_index: int, plannable: Plannable, visit: VisitNeed, dims: dict[frozenset[int], int], choice: int, group: int
) -> list[tuple[Client, Job]]:
    """A visit's clients: one; or a preferred-window copy and a hard-window copy, at most one of which is made
    (a mutually exclusive group); or, double-handed, two halves fixed to the same start so that one person
    cannot make both and the two people are there together."""
    prize = _prize(visit)
    if plannable.fixed_times:
        t = plannable.fixed_times[choice]
        bonus = PREFERRED_BONUS if plannable.preferred and plannable.preferred[0] <= t <= plannable.preferred[1] else 0
        return [
            (_client(plannable.loc, _unit(dims.get(allowed), len(dims)), visit, (t, t), prize + bonus), Job(p_index, half=half))
            for half, allowed in enumerate(plannable.eligible)
        ]
    delivery = _unit(dims.get(plannable.eligible[0]), len(dims))
    hard = (plannable.early, plannable.late)
    if plannable.preferred is None:
        return [(_client(plannable.loc, delivery, visit, hard, prize), Job(p_index))]
    return [
        (
            _client(plannable.loc, delivery, visit, plannable.preferred, prize + PREFERRED_BONUS, group),
            Job(p_index, preferred=True),
        ),
        (_client(plannable.loc, delivery, visit, hard, prize, group), Job(p_index)),
    ]


def _client(
    loc: int, delivery: list[int], visit: VisitNeed, window: tuple[int, int], prize: int, group: int | None = None
) -> Client:
    return Client(
        loc,
        delivery=delivery,
        service_duration=visit.duration_minutes,
        tw_early=window[0],
        tw_late=window[1],
        prize=prize,
        required=False,
        group=group,
        name=str(visit.visit_id),
    )


def _capacities(staff: list[Availability], dims: dict[frozenset[int], int], clients: list[Client]) -> list[list[int]]:
    demand = np.zeros(len(dims), dtype=np.int64)
    for client in clients:
        demand += np.array(client.delivery, dtype=np.int64)
    return [[int(demand[dim]) if s_index in allowed else 0 for allowed, dim in dims.items()] for s_index in range(len(staff))]


def _problem_data(
    staff: list[Availability],
    places: Places,
    visits: Sequence[VisitNeed],
    plannables: list[Plannable],
    clients: list[Client],
    groups: list[ClientGroup],
    capacities: list[list[int]],
) -> ProblemData:
    locations = [Location(x=p.longitude, y=p.latitude) for p in places.points]
    horizon = max(s.end for s in staff)
    depot_locs = sorted({s.start_loc for s in staff} | {s.base_loc for s in staff})
    depot_of = {loc: i for i, loc in enumerate(depot_locs)}
    depots = [Depot(loc, tw_early=0, tw_late=horizon) for loc in depot_locs]
    penalties = _soft_costs(staff, places, visits, plannables)
    breaks = [s.break_loc for s in staff if s.break_loc >= 0]
    for s_index, s in enumerate(staff):
        penalties[s_index][breaks] = NOT_THEIRS
        if s.break_loc >= 0:
            penalties[s_index][s.break_loc] = 0
    profiles: dict[bytes, int] = {}
    distance: list[Matrix] = []
    vehicle_types: list[VehicleType] = []
    for s_index, s in enumerate(staff):
        key = penalties[s_index].tobytes()
        if key not in profiles:
            profiles[key] = len(distance)
            matrix = places.travel + penalties[s_index][None, :]
            np.fill_diagonal(matrix, 0)
            distance.append(matrix)
        vehicle_types.append(
            VehicleType(
                num_available=1,
                capacity=capacities[s_index],
                start_depot=depot_of[s.start_loc],
                end_depot=depot_of[s.base_loc],
                tw_early=s.start,
                tw_late=s.end,
                start_late=s.start,  # leave as soon as free: visits start as early as they can, so times stay stable
                profile=profiles[penalties[s_index].tobytes()],
                name=str(s.member.staff_id),
            )
        )
    durations = [places.travel] * len(distance)
    # PyVRP's stubs spell a matrix as `np.ndarray[int]`, which numpy's own types do not match.
    return ProblemData(
        locations, clients, depots, vehicle_types, cast("list[Any]", distance), cast("list[Any]", durations), groups
    )


def _soft_costs(
    staff: list[Availability], places: Places, visits: Sequence[VisitNeed], plannables: list[Plannable]
) -> list[Matrix]:
    """Per member of staff, the cost of entering each home on top of travel: continuity with people who have
    familiar carers, and (re-planning) keeping each person with the staff the live plan gave them."""
    familiar: dict[int, dict[UUID, int]] = {}
    current: dict[int, set[UUID]] = {}
    for plannable in plannables:
        visit = visits[plannable.index]
        known = familiar.setdefault(plannable.loc, {})
        for staff_id, count in visit.familiar_staff.items():
            known[staff_id] = max(known.get(staff_id, 0), count)
        current.setdefault(plannable.loc, set()).update(visit.current_staff)
    row = {s.member.staff_id: i for i, s in enumerate(staff)}
    costs = np.zeros((len(staff), len(places.points)), dtype=np.int64)
    for loc, known in familiar.items():
        if any(count > 0 for count in known.values()):
            costs[:, loc] = UNFAMILIAR_COST
            for staff_id, count in known.items():
                if staff_id in row and count > 0:
                    costs[row[staff_id], loc] = round(UNFAMILIAR_COST / (1 + count))
        if current[loc]:
            costs[:, loc] += DISRUPTION_COST
            for staff_id in current[loc]:
                if staff_id in row:
                    costs[row[staff_id], loc] -= DISRUPTION_COST
    return [costs[i] for i in range(len(staff))]


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


def live_routes(model: PlanningModel, visits: Sequence[VisitNeed]) -> list[list[int]]:
    """The live plan as client routes per member of staff (what has become infeasible dropped), so a short
    re-plan starts from it and mostly inserts the new work instead of rebuilding the day."""
    wanted: list[list[tuple[int, int]]] = [[] for _ in model.staff]
    position = {s.member.staff_id: i for i, s in enumerate(model.staff)}
    for p_index, plannable in enumerate(model.plannables):
        visit = visits[plannable.index]
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


def retimed(model: PlanningModel, visits: Sequence[VisitNeed], choice: dict[int, int]) -> PlanningModel:
    """The same model with some double-handed visits fixed to another of their candidate start times; client
    indexes do not change, so the previous plan stays a valid warm start."""
    clients = model.data.clients()
    for p_index, index in choice.items():
        plannable = model.plannables[p_index]
        t = plannable.fixed_times[index]
        bonus = PREFERRED_BONUS if plannable.preferred and plannable.preferred[0] <= t <= plannable.preferred[1] else 0
        for c in model.clients_of[p_index]:
            old = clients[c]
            clients[c] = _client(
                old.location, list(old.delivery), visits[plannable.index], (t, t), _prize(visits[plannable.index]) + bonus
            )
    fixed = {**model.fixed_choice, **choice}
    return PlanningModel(
        model.data.replace(clients=clients),
        model.jobs,
        model.staff,
        model.plannables,
        model.places,
        model.clients_of,
        model.break_client,
        fixed,
        model.clock,
    )


def _prize(visit: VisitNeed) -> int:
    prize = URGENT_PRIZE if visit.urgent else PINNED_PRIZE if visit.pinned_staff else ROUTINE_PRIZE
    return prize + LIVE_PLAN_BONUS if visit.current_staff else prize
