"""A referral's first visit, once it is both triaged (which tells how fast and who leads) and accepted by
the hub, in whichever order those arrive; and an assessment by a new lead discipline. Each asks for a
re-plan of the next hours, committed with the visit; the re-planner (planning/replanner.py) places it,
together with whatever else arrived meanwhile, and publishes the assignment."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from carerelay_contract.vocabulary import LeadDiscipline, VisitPurpose
from carerelay_events.processing import HandlerContext

from ..domain.first_response import lead_visit
from ..settings import SchedulingSettings
from ..store import episodes, plans, visits


async def plan_when_ready(context: HandlerContext[SchedulingSettings], episode_id: UUID) -> None:
    """Plan the first response if the referral is triaged, accepted and still open (once per referral)."""
    triaged = await episodes.ready_to_plan(context.conn, episode_id)
    if triaged is not None:
        await plan_lead_visit(context, episode_id, triaged.referral_id, triaged.lead_discipline, triaged.first_contact_deadline)


async def plan_lead_visit(
    context: HandlerContext[SchedulingSettings],
    episode_id: UUID,
    referral_id: UUID | None,
    lead: LeadDiscipline,
    deadline: datetime,
    purpose: VisitPurpose = VisitPurpose.FIRST_RESPONSE,
) -> None:
    """Plan a visit by the lead discipline, starting by `deadline` (a hard limit), and ask for a re-plan so
    that someone is sent. A referral's second first response is not made (nor re-planned for)."""
    now = datetime.now(UTC)
    visit = lead_visit(episode_id, referral_id, lead, deadline, now, purpose)
    if not await visits.add_lead_visit(context.conn, visit):
        return
    await context.emit(visit.planned())
    window = visit.replan_window(now, context.resources.replan_hours)
    await plans.request_replan(context.conn, window, f"{purpose.value} visit planned", now)
