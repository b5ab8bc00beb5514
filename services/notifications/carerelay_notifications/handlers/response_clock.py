"""carerelay.response-clock.v1: a response at risk of missing its deadline, or one that missed it,
is the hub's and the team's coordinators' to act on."""

from __future__ import annotations

from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached
from carerelay_events.processing import HandlerContext

from ..domain.reach import Reach
from ..domain.triggers import hub
from ..store import access
from .registry import handlers, requester


@handlers.on(ResponseClockAtRisk)
async def on_clock_at_risk(event: ResponseClockAtRisk, context: HandlerContext[Reach]) -> None:
    tell, team = requester(context), await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.clock_at_risk(tell.reach, event, tell.trigger, team))


@handlers.on(ResponseClockBreached)
async def on_clock_breached(event: ResponseClockBreached, context: HandlerContext[Reach]) -> None:
    tell, team = requester(context), await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.clock_breached(tell.reach, event, tell.trigger, team))
