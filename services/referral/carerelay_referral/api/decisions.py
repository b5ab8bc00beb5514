"""A hub clinician's decision on a referral: accept it, or reject it with a reason, once. (The
referrer is told by notifications, which follows `referral.accepted` and `referral.rejected`.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal
from carerelay_events.case import emit
from carerelay_service.app import runtime_of
from carerelay_service.problems import conflict, refuse

from ..domain.intake import Acceptance, Rejection, markup_problems
from ..domain.referral import Conflict, decide, decided_status
from ..store import referrals
from .deps import PREFIX, case_of, display_name, referral_for, shown

router = APIRouter(prefix=PREFIX, tags=["referrals"])


@router.post("/referrals/{referral_id}/accept", summary="Accept the referral; the referrer is told", response_model=None)
async def accept_referral(
    referral_id: UUID, body: Acceptance, request: Request, principal: CurrentPrincipal
) -> dict[str, Any] | JSONResponse:
    return await _decide(request, principal, referral_id, body)


@router.post(
    "/referrals/{referral_id}/reject", summary="Reject the referral with a reason; the referrer is told", response_model=None
)
async def reject_referral(
    referral_id: UUID, body: Rejection, request: Request, principal: CurrentPrincipal
) -> dict[str, Any] | JSONResponse:
    refuse(markup_problems(body.model_dump(mode="json")))
    return await _decide(request, principal, referral_id, body)


async def _decide(
    request: Request, principal: Principal, referral_id: UUID, body: Acceptance | Rejection
) -> dict[str, Any] | JSONResponse:
    """Record the decision and publish it in the case's trace, in one transaction; 409 if already decided."""
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        referral = await referral_for(request, conn, principal, referral_id, Action.REFERRAL_DECIDE)
        if referral is not None:
            try:
                decision = decide(referral, body, by=display_name(principal), at=datetime.now(UTC))
            except Conflict as refused:
                # Answered from inside the transaction, so it commits with the attempt in the audit trail.
                return conflict(refused.detail, refused.kind, status=referral.status.value)
            await referrals.record_decision(conn, decision)
            await emit(conn, runtime.outbox, case_of(referral), decision)
            purpose = f"hub triage: {decided_status(decision).value}"
            await audit.record(conn, principal, Action.REFERRAL_DECIDE.value, "referral", [str(referral_id)], purpose)
            referral = await referrals.get(conn, referral_id)
    return shown(referral).board_row()
