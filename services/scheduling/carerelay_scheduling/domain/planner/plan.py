"""The daily planner (issue 6): who makes which visit, when, in what order, for one day of a community rapid
response and reablement service. The same call re-plans in real time: started and finished visits are left
out, staff carry where and when they are next free, and the live plan (current staff and start) is the
warm start and the thing not to disrupt. Decision and measurements: docs/decisions/0003-daily-planner.md.

Hard limits (never broken in a returned plan): discipline, skills, pins, shifts, hard start windows, breaks,
double-handed visits with two different people at the same start. Soft wishes (traded against travel):
urgent first, continuity of carers, preferred windows, minimal disruption of the live plan.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import pyvrp
from pyvrp import Solution
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

from .eligibility import Clock, Plannable, assess, availabilities, build_places
from .input import (
    DOUBLE_HANDED_SKILL,
    Assignment,
    DayPlan,
    PlanChange,
    PlanningInputError,
    Point,
    Shift,
    StaffMember,
    TravelModel,
    TravelTimes,
    Unassigned,
    VisitNeed,
)
from .insertion import complete_pairs, insert_urgent
from .model import PlanningModel, build_model, live_routes, retimed, solution_of
from .result import day_plan, incomplete_pairs, sequences
from .validation import validate

__all__ = [
    "DOUBLE_HANDED_SKILL",
    "Assignment",
    "DayPlan",
    "PlanChange",
    "PlanningInputError",
    "Point",
    "Shift",
    "StaffMember",
    "TravelModel",
    "TravelTimes",
    "Unassigned",
    "VisitNeed",
    "changes",
    "plan_day",
]

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
    validate(staff, visits)
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise PlanningInputError("now", "naive datetime (give a timezone)")
    if not staff:
        return _nobody(visits, started)
    origin = min(member.shift.start for member in staff)
    clock = Clock(origin=origin, floor=max(0, Clock(origin).early(now)) if now is not None else 0)
    places = build_places(staff, visits, travel or TravelModel())
    available = availabilities(staff, clock, places)
    plannables: list[Plannable] = []
    rejected: dict[UUID, Unassigned] = {}
    for index, visit in enumerate(visits):
        verdict = assess(visit, index, clock, places, available)
        if isinstance(verdict, str):
            rejected[visit.visit_id] = Unassigned(visit.visit_id, verdict)
        else:
            plannables.append(verdict)
    if not available:
        return DayPlan({}, rejected, {}, {}, True, time.monotonic() - started)
    model = build_model(visits, available, plannables, places, clock, {})
    if not model.plannables:  # nothing to place: just everyone's break, no search needed
        return day_plan(model, visits, live_routes(model, visits), True, rejected, time.monotonic() - started)
    model, routes, clean = _solve(model, visits, seconds, seed, started)
    return day_plan(model, visits, routes, clean, rejected, time.monotonic() - started)


def _nobody(visits: Sequence[VisitNeed], started: float) -> DayPlan:
    unassigned = {v.visit_id: Unassigned(v.visit_id, f"no {' or '.join(sorted(v.disciplines))} on shift") for v in visits}
    return DayPlan({}, unassigned, {}, {}, True, time.monotonic() - started)


def _solve(
    model: PlanningModel, visits: Sequence[VisitNeed], seconds: float, seed: int, started: float
) -> tuple[PlanningModel, list[list[int]], bool]:
    """Solve from the live plan (if any, with urgent visits already squeezed in); then complete double-handed
    visits left with one half, and give those still incomplete another start time, re-solving from the plan
    so far each round."""
    has_pairs = any(p.fixed_times for p in model.plannables)
    live = live_routes(model, visits)  # at least everyone's break: a search started from breaks in their
    insert_urgent(model, live)  # owners' routes never moves them (NOT_THEIRS), one started at random may
    initial = solution_of(model, live)
    left = max(MIN_SOLVER_SHARE * seconds, seconds - (time.monotonic() - started))  # `seconds` bounds the whole call
    budget = left * (MAIN_SHARE_WITH_PAIRS if has_pairs else 1.0)
    routes, clean = sequences(model, _run(model, initial, budget, seed))
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
        model = retimed(model, visits, choice)
        dropped = {c for p in stuck for c in model.clients_of[p]}
        kept = [[c for c in route if c not in dropped] for route in routes]
        routes, clean = sequences(model, _run(model, solution_of(model, kept), remaining / 2, seed))
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
