"""`carerelay.episode.v1`: a lead handed to another discipline (scheduling owns the transfer) shows
as the decision's lead."""

from __future__ import annotations

from carerelay_contract.episode import LeadDisciplineTransferred
from carerelay_events.processing import HandlerContext

from ..domain.rules.model import TriageRules
from ..store import triage_decisions
from .registry import handlers


@handlers.on(LeadDisciplineTransferred)
async def on_lead_transferred(event: LeadDisciplineTransferred, context: HandlerContext[TriageRules]) -> None:
    await triage_decisions.set_lead(context.conn, event.episode_id, event.to_discipline)
