"""The day as a PyVRP problem (ADR 0003): one vehicle per member of staff, one location per home, minutes as
the unit. Hard limits become what the solver cannot violate in a feasible plan (load dimensions with zero
capacity, fixed time windows, required breaks); soft wishes become costs in a per-staff distance matrix
(continuity, disruption) or prizes (urgent, preferred windows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType

from .eligibility import Availability, Clock, Eligibility, Matrix, Places, Plannable
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
    visits: Sequence[VisitNeed]
    """The visits asked for; each plannable's `index` points into them."""
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

    def visit(self, p_index: int) -> VisitNeed:
        """The visit plannable `p_index` stands for."""
        return self.visits[self.plannables[p_index].index]


def build_model(allowed: Eligibility) -> PlanningModel:
    """The day as PyVRP sees it: a client per visit (or per preferred/hard copy, or per half), a vehicle per
    member of staff, and their breaks."""
    visits, staff, plannables, places, clock = allowed.visits, allowed.staff, allowed.plannables, allowed.places, allowed.clock
    dims = _eligibility_dims(plannables, len(staff))
    jobs: list[Job] = []
    clients: list[Client] = []
    groups: list[ClientGroup] = []
    clients_of: list[list[int]] = []
    for p_index, plannable in enumerate(plannables):
        visit = visits[plannable.index]
        made = _visit_clients(p_index, plannable, visit, dims, 0, len(groups))
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
    return PlanningModel(visits, data, jobs, staff, plannables, places, clients_of, break_client, {}, clock)


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


def retimed(model: PlanningModel, choice: dict[int, int]) -> PlanningModel:
    """The same model with some double-handed visits fixed to another of their candidate start times; client
    indexes do not change, so the previous plan stays a valid warm start."""
    clients = model.data.clients()
    for p_index, index in choice.items():
        plannable = model.plannables[p_index]
        t = plannable.fixed_times[index]
        bonus = PREFERRED_BONUS if plannable.preferred and plannable.preferred[0] <= t <= plannable.preferred[1] else 0
        visit = model.visit(p_index)
        for c in model.clients_of[p_index]:
            old = clients[c]
            clients[c] = _client(old.location, list(old.delivery), visit, (t, t), _prize(visit) + bonus)
    fixed = {**model.fixed_choice, **choice}
    return PlanningModel(
        model.visits,
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
