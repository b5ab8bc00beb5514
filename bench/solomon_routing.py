"""The routing core the Solomon benchmark measures: PyVRP (a maintained, state-of-the-art VRPTW solver,
chosen by measurement: bench/solomon.py) behind a small interface. Places have coordinates, time
windows and a service time; a fleet has a size and a capacity; travel time equals distance here.

Only the benchmark uses it: the service's daily planner (carerelay_scheduling.domain.planner) builds
its own PyVRP model with staff shifts, skills, breaks and continuity (decision 0003).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pyvrp import Model
from pyvrp.stop import MaxRuntime


@dataclass(frozen=True)
class Place:
    """A base (the depot) or a visit. Times are in the problem's own integer units."""

    x: float
    y: float
    earliest: int = 0
    latest: int = 2**62
    service: int = 0
    demand: int = 0


@dataclass(frozen=True)
class Fleet:
    size: int
    capacity: int


@dataclass(frozen=True)
class RoutePlan:
    routes: list[list[int]]
    """Each route: the indexes (into the visits given) in the order they are made."""
    distance: int
    feasible: bool

    @property
    def vehicles_used(self) -> int:
        return len(self.routes)


Travel = Callable[[Place, Place], int]


def euclidean_tenths(a: Place, b: Place) -> int:
    """The DIMACS convention for Solomon instances: Euclidean distance truncated to one decimal, x10."""
    return int(math.hypot(a.x - b.x, a.y - b.y) * 10)


def plan_routes(
    base: Place, visits: list[Place], fleet: Fleet, seconds: float, travel: Travel = euclidean_tenths, seed: int = 1
) -> RoutePlan:
    """The shortest plan the solver finds within `seconds` that visits every place in its window
    with at most `fleet.size` vehicles (the best plan found so far when time runs out)."""
    model = Model()
    depot = model.add_depot(model.add_location(x=base.x, y=base.y), tw_early=base.earliest, tw_late=base.latest)
    model.add_vehicle_type(
        num_available=fleet.size,
        capacity=fleet.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_early=base.earliest,
        tw_late=base.latest,
    )
    for visit in visits:
        model.add_client(
            model.add_location(x=visit.x, y=visit.y),
            delivery=visit.demand,
            service_duration=visit.service,
            tw_early=visit.earliest,
            tw_late=visit.latest,
        )
    places = [base, *visits]
    locations = model.locations
    for i, frm in enumerate(places):
        for j, to in enumerate(places):
            if i != j:
                cost = travel(frm, to)
                model.add_edge(locations[i], locations[j], distance=cost, duration=cost)
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    routes = [[activity.idx for activity in route if activity.is_client()] for route in result.best.routes()]
    return RoutePlan(routes=routes, distance=result.best.distance(), feasible=result.is_feasible())
