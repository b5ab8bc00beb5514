"""`carerelay.visit.v1`: the visits planned for the person time the clock's first contact (the
earliest counts) and put their staff on the care team; the first visit started stops the clock."""

from __future__ import annotations

from carerelay_contract.visit import VisitAssigned, VisitCancelled, VisitRescheduled, VisitStarted, VisitUnassignable
from carerelay_events.processing import HandlerContext

from ..domain.response_clock import met
from ..domain.rules.model import TriageRules
from ..store import care_team, clocks
from .registry import handlers


@handlers.on(VisitAssigned, VisitRescheduled)
async def on_visit_planned(event: VisitAssigned | VisitRescheduled, context: HandlerContext[TriageRules]) -> None:
    await care_team.join(context.conn, event.episode_id, event.staff_id)
    await clocks.visit_planned(context.conn, event.episode_id, event.visit_id, event.planned_start)


@handlers.on(VisitCancelled, VisitUnassignable)
async def on_visit_withdrawn(event: VisitCancelled | VisitUnassignable, context: HandlerContext[TriageRules]) -> None:
    await clocks.visit_withdrawn(context.conn, event.episode_id, event.visit_id)


@handlers.on(VisitStarted)
async def on_visit_started(event: VisitStarted, context: HandlerContext[TriageRules]) -> None:
    """First contact: the clock stops, and fires `met` if it was within the deadline."""
    clock = await clocks.first_contact(context.conn, event.episode_id, event.at)
    in_time = met(clock, event.at) if clock is not None else None
    if in_time is not None:
        await clocks.met_fired(context.conn, event.episode_id)
        await context.emit(in_time)
