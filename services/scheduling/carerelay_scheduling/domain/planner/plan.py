"""The daily planner (issue 6): who makes which visit, when, in what order, for one day of a community rapid
response and reablement service. The same call re-plans in real time: started and finished visits are left
out, staff carry where and when they are next free, and the live plan (current staff and start) is the
warm start and the thing not to disrupt. Decision and measurements: docs/decisions/0003-daily-planner.md.

Hard limits (never broken in a returned plan): discipline, skills, pins, shifts, hard start windows, breaks,
double-handed visits with two different people at the same start. Soft wishes (traded against travel):
urgent first, continuity of carers, preferred windows, minimal disruption of the live plan.

`plan_day` takes the stages in order (see the package's docstring): input is checked, eligibility says who
may make what, the model is built once (re-timed for pairs), routes are searched and repaired, and the
result is read off the final routes.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from datetime import datetime

import pyvrp
from pyvrp import Solution
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

from .eligibility import eligibility
from .input import StaffMember, TravelModel, TravelTimes, VisitNeed, validate
from .insertion import complete_pairs, insert_urgent
from .model import PlanningModel, build_model, retimed
from .result import DayPlan, day_plan, unplanned
from .routes import incomplete_pairs, live_routes, repaired, solution_of

MAIN_SHARE_WITH_PAIRS = 0.75
"""With double-handed visits, a quarter of the time is kept to retry pairs at other start times."""
PAIR_ROUNDS = 2
MIN_SOLVER_SHARE = 0.2
"""`seconds` bounds the whole call; the solver gets what building the problem left, but never less than this share."""


def plan_day(
    staff: Sequence[StaffMember],
    visits: Sequence[VisitNeed],
    *,
    seconds: float,
    travel: TravelTimes | None = None,
    seed: int = 1,
    now: datetime | None = None,
) -> DayPlan:
    """The best plan found within about `seconds` (plus building the problem). Impossible visits come back in
    `unassigned` with a reason; impossible input raises PlanningInputError. When re-planning, pass `now`:
    nothing is then planned to start before it, so a member of staff can be given as free from the end of
    their last visit (in the past) at its place while travelling to their next one."""
    started = time.monotonic()
    validate(staff, visits, now)
    if not staff:
        nobody = {v.visit_id: f"no {' or '.join(sorted(v.disciplines))} on shift" for v in visits}
        return unplanned(visits, nobody, time.monotonic() - started)
    allowed = eligibility(staff, visits, travel or TravelModel(), now)
    if not allowed.staff:
        return unplanned(visits, allowed.rejected, time.monotonic() - started)
    model = build_model(allowed)
    if not model.plannables:  # nothing to place: just everyone's break, no search needed
        return day_plan(model, live_routes(model), True, allowed.rejected, time.monotonic() - started)
    model, routes, clean = _search(model, seconds, seed, started)
    return day_plan(model, routes, clean, allowed.rejected, time.monotonic() - started)


def _search(model: PlanningModel, seconds: float, seed: int, started: float) -> tuple[PlanningModel, list[list[int]], bool]:
    """Solve from the live plan (if any, with urgent visits already squeezed in); then complete double-handed
    visits left with one half, and give those still incomplete another start time, re-solving from the plan
    so far each round."""
    has_pairs = any(p.fixed_times for p in model.plannables)
    live = live_routes(model)  # at least everyone's break: a search started from breaks in their
    insert_urgent(model, live)  # owners' routes never moves them (NOT_THEIRS), one started at random may
    initial = solution_of(model, live)
    left = max(MIN_SOLVER_SHARE * seconds, seconds - (time.monotonic() - started))  # `seconds` bounds the whole call
    budget = left * (MAIN_SHARE_WITH_PAIRS if has_pairs else 1.0)
    routes, clean = repaired(model, _run(model, initial, budget, seed))
    for _ in range(PAIR_ROUNDS if has_pairs else 0):
        complete_pairs(model, routes)
        stuck = incomplete_pairs(model, routes)
        remaining = seconds - (time.monotonic() - started)
        if not stuck or remaining < 0.05 * seconds:
            break
        choice = {
            p: model.fixed_choice.get(p, 0) + 1
            for p in stuck
            if model.fixed_choice.get(p, 0) + 1 < len(model.plannables[p].fixed_times)
        }
        model = retimed(model, choice)
        dropped = {c for p in stuck for c in model.clients_of[p]}
        kept = [[c for c in route if c not in dropped] for route in routes]
        routes, clean = repaired(model, _run(model, solution_of(model, kept), remaining / 2, seed))
    complete_pairs(model, routes)
    return model, routes, clean


def _run(model: PlanningModel, initial: Solution | None, seconds: float, seed: int) -> Solution:
    # PyVRP warns when its penalties hit their cap (a hard-to-satisfy day); the plan is repaired and reported
    # (DayPlan.feasible) instead, so the warning would only be noise in the service's logs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            model.data,
            stop=MaxRuntime(max(seconds, 0.01)),
            seed=seed,
            collect_stats=False,
            display=False,
            initial_solution=initial,
        )
    return result.best
