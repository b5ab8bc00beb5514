"""The triage topic: how fast and who leads. Once the hub has accepted the referral too, its first
response is planned (in whichever order the two arrive)."""

from __future__ import annotations

from carerelay_contract.triage import TriageCompleted, TriageOverridden
from carerelay_events.processing import HandlerContext

from ..planning.first_visits import plan_when_ready
from ..settings import SchedulingSettings
from ..store import episodes
from .registry import handlers


@handlers.on(TriageCompleted, TriageOverridden)
async def on_triage(event: TriageCompleted | TriageOverridden, context: HandlerContext[SchedulingSettings]) -> None:
    await episodes.record_triage(context.conn, event)
    await plan_when_ready(context, event.episode_id)
