"""Care plans become visits: from now through a local day, the visits a plan asks for are made (one per
slot, so making them again changes nothing) and the future ones it no longer asks for are cancelled.
The planner places them on its next run."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from carerelay_contract.parts import RecurringVisit
from carerelay_events.db import DbConnection

from ..domain.care_plans import cancelled, no_longer_wanted, planned, wanted
from ..domain.hospital_stays import visits_from
from ..store import care_plans, visits
from .case_events import Emit


async def make_visits(
    conn: DbConnection,
    emit: Emit,
    care_plan_id: UUID,
    episode_id: UUID,
    lines: list[RecurringVisit],
    now: datetime,
    through: date,
) -> int:
    """Make the plan's visits from now through the local day `through`; cancel future ones it no
    longer asks for. Idempotent: a visit already made for a slot is left as it is. Returns how many
    visits were planned now."""
    asked = wanted(lines, now, through)
    for visit_id in no_longer_wanted(await care_plans.made_after(conn, care_plan_id, now), asked, through):
        await visits.cancel(conn, visit_id)
        await emit(cancelled(episode_id, visit_id, now))
    made = 0
    for line, slot in asked.values():
        visit_id = uuid4()
        if await care_plans.add_visit(conn, visit_id, episode_id, care_plan_id, line, slot):
            made += 1
            await emit(planned(episode_id, care_plan_id, visit_id, line, slot))
    return made


async def make_due_visits(conn: DbConnection, emit: Emit, now: datetime, through: date) -> int:
    """Make every active care plan's visits through `through` (the planner's tick and day plans): none
    for someone in hospital, and after a discharge only from the reassessment on."""
    made = 0
    for plan in await care_plans.active(conn):
        start = visits_from(now, plan.resume_after)
        made += await make_visits(conn, emit, plan.care_plan_id, plan.episode_id, plan.lines, start, through)
    return made
