"""`/api/triage/referrals/{referral_id}/override`: a hub clinician overrides a triage, with a reason.
The deadline is recomputed from the new tier; the clock follows; `triage.overridden` tells everyone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import Field

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal
from carerelay_contract.model import Model
from carerelay_contract.vocabulary import LeadDiscipline, ResponseTier
from carerelay_events.case import Case, emit
from carerelay_service.app import runtime_of

from ..domain.override import TriageOverride, apply
from ..domain.rules.model import TriageRules
from ..store import clocks, triage_decisions
from .decisions import authorised_triage, not_found, view

router = APIRouter(prefix="/api/triage", tags=["triage"])


class Override(Model):
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


@router.post("/referrals/{referral_id}/override", summary="A hub clinician overrides the decision, with a reason")
async def override(referral_id: UUID, body: Override, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    runtime = runtime_of(request)
    rules: TriageRules = runtime.resources
    change = TriageOverride(
        tier=body.tier,
        lead_discipline=body.lead_discipline,
        reason=body.reason,
        by=principal.name or principal.subject,
        at=datetime.now(UTC),
    )
    async with runtime.pool.acquire() as conn, conn.transaction():
        triage = await authorised_triage(request, conn, principal, Action.TRIAGE_OVERRIDE, referral_id)
        if triage is not None:
            triage, event = apply(triage, change, rules)
            await triage_decisions.save_override(conn, triage)
            clock = await clocks.load(conn, triage.episode_id)
            if clock is not None:
                await clocks.save_deadline(
                    conn, clock.with_deadline(triage.tier, triage.first_contact_deadline, rules.at_risk_fraction)
                )
            await emit(conn, runtime.outbox, await clocks.case_of(conn, triage.episode_id) or Case(), event)
            await audit.record(
                conn, principal, Action.TRIAGE_OVERRIDE.value, "referral", [str(referral_id)], "hub triage: override"
            )
    if triage is None:
        raise not_found()
    return view(triage)
