"""Planning and re-planning a window, in one transaction: read who is on shift and which visits are
open, let the planner (domain/planner, on PyVRP) place them, write the changes and publish only those
changes (visit assigned / rescheduled / unassignable), each in its own case's trace. Runs are serialised
by a transaction-scoped advisory lock, so two triggers never plan over each other; what a re-plan may
move and what it publishes are the rules of domain/live_plan.

Triggers: an urgent visit (a referral triaged and accepted), a staff member's absence, a pin by a
coordinator, a day plan asked for, and the planner's tick (which catches overruns and makes care-plan
visits as days come).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox

from ..domain import live_plan
from ..domain.day_plan import PlanRun, Window, planning_day, planning_day_of, rolling_window
from ..domain.live_plan import NO_CAPACITY, OFF_THE_MAP, OpenVisit
from ..domain.planner.input import VisitNeed
from ..domain.planner.plan import plan_day
from ..domain.planner.result import DayPlan, changes
from ..domain.rota import LONDON
from ..settings import SchedulingSettings
from ..store import plans, rota, visits
from . import run_metrics
from .care_plan_visits import make_due_visits
from .case_events import CaseEvents
from .staffing import available_staff


async def replan(
    conn: DbConnection,
    outbox: Outbox,
    window: Window,
    trigger: str,
    seconds: float,
    now: datetime | None = None,
    *,
    whole_day: bool = False,
) -> PlanRun:
    """Plan the open visits of `window` afresh, keeping what need not change. Run in a transaction.

    The planner gives each person one shift: a live re-plan the one they are on or start next, a whole
    day's plan (`whole_day`) the day's. A visit booked in another of its people's shifts is left alone."""
    began = time.monotonic()
    now = now or datetime.now(UTC)
    await plans.lock_planner(conn)
    cases = CaseEvents(conn, outbox)
    await make_due_visits(conn, cases.emit, now, window[1].astimezone(LONDON).date())
    window = (max(window[0], now), window[1])
    staff, other_stretches = await available_staff(conn, window, next_first=not whole_day)
    on_shift = {member.staff_id for member in staff}
    open_visits = await visits.open_in(conn, window)
    bases = await rota.team_bases(conn)
    familiar = await visits.familiarity(conn, [visit.visit_id for visit in open_visits])
    movable = [
        visit
        for visit in open_visits
        if live_plan.may_move(visit, on_shift) and not live_plan.booked_on_another_shift(visit, other_stretches)
    ]
    off_map = [visit for visit in movable if not live_plan.home_on_the_map(visit)]
    placeable = live_plan.within_reach([visit for visit in movable if live_plan.home_on_the_map(visit)])
    needs = [live_plan.need(visit, window, bases, familiar.get(visit.episode_id, {})) for visit in placeable]
    plan: DayPlan = await asyncio.to_thread(plan_day, staff, needs, seconds=seconds, now=now)
    applied = await _apply(conn, cases, needs, plan, {visit.visit_id: visit for visit in placeable}, window, now)
    for visit in off_map:
        applied += await _unassign(conn, cases, visit, OFF_THE_MAP, window, now)
    run = PlanRun(
        run_id=uuid4(),
        trigger=trigger,
        window=window,
        visits=len(needs),
        assigned=len(plan.assignments),
        unassigned=len(plan.unassigned),
        changes=applied,
        solve_seconds=plan.solve_seconds,
    )
    await plans.record_run(conn, run, now)
    run_metrics.observe(run, time.monotonic() - began)
    return run


async def replan_for_lever(
    conn: DbConnection, outbox: Outbox, settings: SchedulingSettings, trigger: str, visit_starts: datetime | None = None
) -> PlanRun:
    """After a coordinator's lever: re-plan the next hours, or the planning day of the visit moved when it
    is further ahead than that."""
    now = datetime.now(UTC)
    window = rolling_window(now, settings.replan_hours)
    if visit_starts is not None and visit_starts >= window[1]:
        day = planning_day(planning_day_of(visit_starts))
        return await replan(conn, outbox, day, trigger, settings.replan_seconds, now, whole_day=True)
    return await replan(conn, outbox, window, trigger, settings.replan_seconds, now)


async def _apply(
    conn: DbConnection,
    cases: CaseEvents,
    needs: list[VisitNeed],
    plan: DayPlan,
    by_id: dict[UUID, OpenVisit],
    window: Window,
    now: datetime,
) -> int:
    """Write the plan's changes and publish them; return how many visits changed."""
    changed = 0
    for change in changes(needs, plan):
        visit = by_id[change.visit_id]
        if not live_plan.worth_publishing(change, visit):
            continue
        if change.kind == "unassigned":
            await _unassign(conn, cases, visit, change.reason or NO_CAPACITY, window, now)
        else:
            assert change.start is not None
            await visits.assign(conn, visit.visit_id, change.staff_ids, change.start, change.why)
            for event in live_plan.change_events(visit, change):
                await cases.emit(event)
        changed += 1
    for visit_id, unassigned in plan.unassigned.items():
        visit = by_id[visit_id]
        if visit.status == "planned":
            changed += await _unassign(conn, cases, visit, unassigned.reason, window, now)
    return changed


async def _unassign(conn: DbConnection, cases: CaseEvents, visit: OpenVisit, reason: str, window: Window, now: datetime) -> int:
    """Take a visit off everyone's round and say why, once per reason; return 1 if anything changed. A
    routine visit whose window runs on past this plan's window is left for a later plan, without alarm."""
    if visit.assigned:
        await visits.take_off_round(conn, visit.visit_id)
    if live_plan.left_for_later(visit, window):
        await visits.clear_unassigned(conn, visit.visit_id)
        return int(visit.assigned)
    if not await visits.note_unassigned(conn, visit.visit_id, reason, now):
        return int(visit.assigned)
    await cases.emit(live_plan.unassignable(visit, reason, now))
    return 1
