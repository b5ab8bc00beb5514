"""`/api/triage/referrals/{referral_id}`: a referral's triage and the rules that made it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request

from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, RecordFacts
from carerelay_access.web import CurrentPrincipal, allowed_scopes, authorise
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of

from ..domain.triage import ReferralTriage
from ..store import care_team, triage_decisions

router = APIRouter(prefix="/api/triage", tags=["triage"])


async def authorised_triage(
    request: Request, conn: DbConnection, principal: Principal, action: Action, referral_id: UUID
) -> ReferralTriage | None:
    """The referral's triage, locked, if the caller may take `action` on it; None if there is none or
    they may not (say 404 once the transaction, with the audit entry of a denial, has committed).
    403 at once when the caller's roles may not take `action` at all."""
    allowed_scopes(principal, action)
    triage = await triage_decisions.for_update(conn, referral_id)
    if triage is None:
        return None
    facts = RecordFacts(team=triage.team, assigned_staff=await care_team.staff_of(conn, triage.episode_id))
    decision = await authorise(request, conn, principal, action, facts, "referral", str(referral_id))
    return triage if decision.allowed else None


def not_found() -> HTTPException:
    """The same answer for "no such referral" and "not yours to see", so neither can be learnt."""
    return HTTPException(status_code=404, detail="not found")


def view(triage: ReferralTriage) -> dict[str, Any]:
    """A triage as the API shows it."""
    return {
        "referral_id": str(triage.referral_id),
        "episode_id": str(triage.episode_id),
        "decided_at": triage.decided_at.isoformat(),
        "tier": triage.tier.value,
        "lead_discipline": triage.lead_discipline.value,
        "route": triage.route.value,
        "care_setting": triage.care_setting.value,
        "first_contact_deadline": triage.first_contact_deadline.isoformat(),
        "news2_score": triage.news2_score,
        "rules_version": triage.rules_version,
        "rules_fired": list(triage.rules_fired),
        "overridden": triage.overridden,
    }


@router.get("/referrals/{referral_id}", summary="The triage decision for a referral and the rules that made it")
async def get_decision(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        triage = await authorised_triage(request, conn, principal, Action.TRIAGE_READ, referral_id)
    if triage is None:
        raise not_found()
    return view(triage)
