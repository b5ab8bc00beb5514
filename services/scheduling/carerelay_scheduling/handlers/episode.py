"""The episode topic: care plans become visits for the next days; a lead transfer (from the field, or a
hub clinician's, both published by scheduling itself) gets an assessment by the new lead within a day."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_contract.episode import CarePlanAgreed, CarePlanUpdated, LeadDisciplineTransferred
from carerelay_contract.vocabulary import VisitPurpose
from carerelay_events.processing import HandlerContext

from ..domain.care_plans import horizon_day
from ..domain.first_response import ASSESSMENT_WITHIN
from ..domain.hospital_stays import visits_from
from ..planning.care_plan_visits import make_visits
from ..planning.first_visits import plan_lead_visit
from ..settings import SchedulingSettings
from ..store import care_plans, episodes, hospital_stays
from .registry import handlers


@handlers.on(CarePlanAgreed, CarePlanUpdated)
async def on_care_plan(event: CarePlanAgreed | CarePlanUpdated, context: HandlerContext[SchedulingSettings]) -> None:
    """Keep the plan, then make its visits from today for the next few days: the ones it no longer
    asks for are cancelled, the new ones planned (and the planner places them on its next run)."""
    if await episodes.is_closed(context.conn, event.episode_id):
        return  # a closed episode makes no more visits
    await care_plans.keep(context.conn, event)
    if await hospital_stays.in_hospital(context.conn, event.episode_id):
        return  # kept; its visits are made once the person is home and reassessed
    now = datetime.now(UTC)
    start = visits_from(now, await hospital_stays.resume_after(context.conn, event.episode_id))
    lines = list(event.visits)
    await make_visits(context.conn, context.emit, event.care_plan_id, event.episode_id, lines, start, horizon_day(now))


@handlers.on(LeadDisciplineTransferred)
async def on_lead_transferred(event: LeadDisciplineTransferred, context: HandlerContext[SchedulingSettings]) -> None:
    """The new lead discipline assesses the person within a day: no new referral, just a new visit. The
    event is handled once (the inbox), so each transfer plans exactly one assessment, whoever made it."""
    if await episodes.is_closed(context.conn, event.episode_id):
        return  # closed since: nobody is to be assessed
    referral_id = await episodes.referral_of(context.conn, event.episode_id)
    await episodes.set_lead(context.conn, event.episode_id, event.to_discipline)
    await plan_lead_visit(
        context,
        event.episode_id,
        referral_id,
        event.to_discipline,
        event.transferred_at + ASSESSMENT_WITHIN,
        purpose=VisitPurpose.ASSESSMENT,
    )
