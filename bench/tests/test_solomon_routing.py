"""The benchmark's routing core: the DIMACS distance convention, every visit made in its window, and a
fleet too small reported infeasible."""

from __future__ import annotations

from solomon_routing import Fleet, Place, euclidean_tenths, plan_routes


def test_distances_follow_the_dimacs_convention() -> None:
    assert euclidean_tenths(Place(0, 0), Place(1, 1)) == 14  # sqrt(2) = 1.414... -> 1.4 -> 14


def test_every_visit_is_made_once_in_its_window_with_the_fleet_given() -> None:
    base = Place(0, 0, earliest=0, latest=10_000)
    visits = [
        Place(10, 0, earliest=0, latest=200, service=50, demand=1),  # must be early
        Place(-10, 0, earliest=2000, latest=3000, service=50, demand=1),  # must be late
        Place(0, 10, service=50, demand=1),
        Place(0, -10, service=50, demand=1),
    ]
    plan = plan_routes(base, visits, Fleet(size=2, capacity=4), seconds=0.5)
    assert plan.feasible
    assert sorted(visit for route in plan.routes for visit in route) == [0, 1, 2, 3]
    assert plan.vehicles_used <= 2
    assert plan.distance > 0


def test_too_small_a_fleet_is_reported_infeasible_not_silently_dropped() -> None:
    base = Place(0, 0, earliest=0, latest=1000)
    far_apart = [Place(400, 0, earliest=400, latest=410, service=10), Place(-400, 0, earliest=400, latest=410, service=10)]
    plan = plan_routes(base, far_apart, Fleet(size=1, capacity=10), seconds=0.3)
    assert not plan.feasible
