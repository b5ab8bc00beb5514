"""The hospital topic: an admission pauses the person's visits (the ones not yet under way cancelled,
each `visit.cancelled` so whoever held it is told; the care plan makes none); a discharge plans a
reassessment by the lead discipline within a day, after which the care plan's visits resume. Events
that name no episode (an ADT feed that has not matched the person yet) are not scheduling's."""

from __future__ import annotations

from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_contract.visit import VisitCancelled
from carerelay_contract.vocabulary import VisitPurpose
from carerelay_events.processing import HandlerContext

from ..domain.hospital_stays import ADMITTED, reassess_by
from ..planning.first_visits import plan_lead_visit
from ..settings import SchedulingSettings
from ..store import episodes, hospital_stays, visits
from .registry import handlers


@handlers.on(PatientAdmitted)
async def on_admitted(event: PatientAdmitted, context: HandlerContext[SchedulingSettings]) -> None:
    episode_id = event.episode_id
    if episode_id is None or await episodes.is_closed(context.conn, episode_id):
        return
    if not await hospital_stays.admit(context.conn, episode_id, event.hospital_encounter_id, event.hospital, event.admitted_at):
        return  # already in hospital: the visits were paused then
    for visit_id in await visits.cancel_open(context.conn, episode_id):
        await context.emit(
            VisitCancelled(episode_id=episode_id, visit_id=visit_id, cancelled_at=event.admitted_at, reason=ADMITTED)
        )


@handlers.on(PatientDischarged)
async def on_discharged(event: PatientDischarged, context: HandlerContext[SchedulingSettings]) -> None:
    episode_id = event.episode_id
    if episode_id is None or await episodes.is_closed(context.conn, episode_id):
        return
    deadline = reassess_by(event.discharged_at)
    if not await hospital_stays.discharge(context.conn, episode_id, event.discharged_at, deadline):
        return  # not known to be in hospital: nothing was paused
    known = await episodes.known(context.conn, episode_id)
    if known is None or known.lead_discipline is None:
        return
    referral_id = await episodes.referral_of(context.conn, episode_id)
    await plan_lead_visit(context, episode_id, referral_id, known.lead_discipline, deadline, purpose=VisitPurpose.REASSESSMENT)
