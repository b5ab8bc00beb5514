"""carerelay.episode.v1: consent as it changes (a withdrawal stops what is waiting), what happened for
the GP's record, an urgent clinical finding, a care plan change proposed (the coordinators are told) and
decided (the proposer is told), a discharge recommended (the hub is told), and when the
episode closes: the GP's discharge summary, the person's and family's message, the end of staff access."""

from __future__ import annotations

import structlog

from carerelay_contract.episode import (
    AssessmentRecorded,
    CarePlanChangeDeclined,
    CarePlanChangeProposed,
    CarePlanUpdated,
    ConsentRecorded,
    ConsentWithdrawn,
    DischargeRecommended,
    EpisodeClosed,
    OnwardReferralMade,
)
from carerelay_events.case import emit
from carerelay_events.processing import HandlerContext

from ..delivery.requester import case_of
from ..domain.consent import stopped_by_withdrawal
from ..domain.messages import withdrawn
from ..domain.reach import Reach
from ..domain.triggers import gp, hub, people, staff
from ..store import access, consents, messages, patients, record
from .registry import handlers, requester

log = structlog.get_logger(__name__)


@handlers.on(ConsentRecorded)
async def on_consent_recorded(event: ConsentRecorded, context: HandlerContext[Reach]) -> None:
    await consents.record(context.conn, event.episode_id, event.scope, True, event.family_contact_id, event.recorded_at)


@handlers.on(ConsentWithdrawn)
async def on_consent_withdrawn(event: ConsentWithdrawn, context: HandlerContext[Reach]) -> None:
    """A withdrawal stops, at once, the messages it covers that are still waiting to be sent."""
    await consents.record(context.conn, event.episode_id, event.scope, False, None, event.withdrawn_at)
    stopped_for = stopped_by_withdrawal(event.scope)
    if not stopped_for:
        return
    tell = requester(context)
    for message in await messages.cancel_waiting(context.conn, event.episode_id, sorted(stopped_for), tell.now):
        await emit(context.conn, context.outbox, case_of(message), withdrawn(message, tell.now))


@handlers.on(AssessmentRecorded)
async def on_assessment_recorded(event: AssessmentRecorded, context: HandlerContext[Reach]) -> None:
    """Kept for the GP's record; a NEWS2 emergency or a serious concern tells the GP and the hub at once."""
    conn = context.conn
    await record.remember(
        conn, context.metadata.id, event.episode_id, record.Kind.ASSESSMENT, event.recorded_at, event.model_dump(mode="json")
    )
    if not gp.is_clinical_alert(event):
        return
    tell = requester(context)
    referred = await patients.referred(conn, event.episode_id)
    team = await access.team(conn, event.episode_id)
    patient = referred.patient if referred else None
    await tell.request_all(gp.urgent_clinical_update(tell.reach, event, patient, tell.trigger, team))


@handlers.on(OnwardReferralMade)
async def on_onward_referral(event: OnwardReferralMade, context: HandlerContext[Reach]) -> None:
    """Kept for the GP's record."""
    await record.remember(
        context.conn,
        context.metadata.id,
        event.episode_id,
        record.Kind.ONWARD_REFERRAL,
        event.made_at,
        event.model_dump(mode="json"),
    )


@handlers.on(CarePlanChangeProposed)
async def on_care_plan_change_proposed(event: CarePlanChangeProposed, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    team = await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.care_plan_change_proposed(tell.reach, event, tell.trigger, team))


@handlers.on(CarePlanUpdated, CarePlanChangeDeclined)
async def on_care_plan_change_decided(event: CarePlanUpdated | CarePlanChangeDeclined, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    await tell.request_all(staff.care_plan_change_decided(tell.reach, event))


@handlers.on(DischargeRecommended)
async def on_discharge_recommended(event: DischargeRecommended, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    team = await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.discharge_recommended(tell.reach, event, tell.trigger, team))


@handlers.on(EpisodeClosed)
async def on_episode_closed(event: EpisodeClosed, context: HandlerContext[Reach]) -> None:
    """The GP's discharge summary (FHIR), when the practice can be reached; the person and their family
    as they agreed; the assigned staff's access to the episode's live events ends."""
    conn, tell = context.conn, requester(context)
    referred = await patients.referred(conn, event.episode_id)
    happened = await record.what_happened(conn, event.episode_id)
    agreed = await consents.load(conn, event.episode_id)
    team = await access.team(conn, event.episode_id)
    notice = gp.discharge_summary(tell.reach, event, referred, happened, agreed, tell.trigger, team)
    if notice.problems:  # a bug, never the GP's to receive: the hub follows it up
        log.error("discharge summary is not a sound FHIR document", problems=notice.problems)
    elif not notice.messages:
        log.info("no GP endpoint for the discharge summary", episode_id=str(event.episode_id))
    await tell.request_all(notice.messages)
    await tell.request_all(people.care_ended(event, await patients.people(conn, event.episode_id)))
    await access.end_staff_access(conn, event.episode_id, event.closed_at)
