"""A hub clinician hands the lead of an episode to another discipline, without a new referral: scheduling
publishes `lead-discipline.transferred` (it is the event's one producer; a clinician in the field does
the same from the app) and its own handler then plans the new lead's assessment within a day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes, authorise, enforce
from carerelay_contract.model import FreeText, Model
from carerelay_contract.vocabulary import LeadDiscipline
from carerelay_events.case import emit
from carerelay_service.app import runtime_of
from carerelay_service.problems import conflict

from ..domain.actions.episode import transferred
from ..domain.actions.outcome import Conflict
from ..store import episodes, visits

router = APIRouter(prefix="/api/scheduling", tags=["episodes"])


class LeadChange(Model):
    to_discipline: LeadDiscipline
    reason: FreeText = ""


@router.post("/episodes/{episode_id}/lead", summary="A hub clinician hands the lead to another discipline")
async def transfer_lead(episode_id: UUID, body: LeadChange, request: Request, principal: CurrentPrincipal) -> Any:
    """404 for an episode outside the caller's relationship (audited as denied); 409 when the discipline
    already leads it, or its lead is not known yet."""
    allowed_scopes(principal, Action.LEAD_TRANSFER)
    runtime = runtime_of(request)
    now = datetime.now(UTC)
    async with runtime.pool.acquire() as conn, conn.transaction():
        facts = await visits.episode_facts(conn, episode_id)
        if facts is None:
            raise HTTPException(status_code=404, detail="not found")
        decision = await authorise(request, conn, principal, Action.LEAD_TRANSFER, facts, "episode", str(episode_id))
        if decision.allowed and await episodes.is_closed(conn, episode_id):
            return conflict("Not transferred: the episode is closed.", "state")
        if decision.allowed:
            known = await episodes.known(conn, episode_id)
            lead = known.lead_discipline if known else None
            try:
                event = transferred(episode_id, lead, body.to_discipline, body.reason, now, principal.staff_id, principal.name)
            except Conflict as problem:
                return conflict(f"Not transferred: {problem.reason}.", "state")
            await episodes.set_lead(conn, episode_id, body.to_discipline)
            await emit(conn, runtime.outbox, await episodes.case_of(conn, episode_id), event)
            await audit.record(conn, principal, Action.LEAD_TRANSFER.value, "episode", [str(episode_id)], "lead transfer")
    enforce(decision)  # after the commit, so a denied attempt stays on the audit trail
    return {
        "episode_id": str(episode_id),
        "from_discipline": event.from_discipline.value,
        "to_discipline": event.to_discipline.value,
        "transferred_at": event.transferred_at.isoformat(),
    }
