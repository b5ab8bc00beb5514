"""carerelay.hospital-adt.v1: an admission or a discharge of someone with an episode tells the hub and
the team's coordinators (scheduling pauses the visits, or plans the reassessment)."""

from __future__ import annotations

from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_events.processing import HandlerContext

from ..domain.reach import Reach
from ..domain.triggers import hub
from ..store import access
from .registry import handlers, requester


@handlers.on(PatientAdmitted, PatientDischarged)
async def on_hospital_stay(event: PatientAdmitted | PatientDischarged, context: HandlerContext[Reach]) -> None:
    if event.episode_id is None:
        return  # not matched to an episode: nobody here to tell
    tell = requester(context)
    team = await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.hospital_stay(tell.reach, event, tell.trigger, team))
