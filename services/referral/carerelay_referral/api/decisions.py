"""A hub clinician's decision on a referral: accept it, or reject it with a reason, once. (The
referrer is told by notifications, which follows `referral.accepted` and `referral.rejected`.) And its
cancellation before first contact, with a reason, by the hub or the system that submitted it
(scheduling then cancels its planned visits and triage stops its clock)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from carerelay_access.identity import Principal
from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal
from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralRejected
from carerelay_events.db import DbConnection
from carerelay_service.problems import refuse

from ..domain.intake import Acceptance, Cancellation, Rejection, markup_problems
from ..domain.referral import Referral, cancel, decide
from ..store import referrals
from .deps import PREFIX, act_on, display_name

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

    async def decided(conn: DbConnection, referral: Referral, now: datetime) -> ReferralAccepted | ReferralRejected:
        decision = decide(referral, body, by=display_name(principal), at=now)
        await referrals.record_decision(conn, decision)
        return decision

    purpose = "hub triage: rejected" if isinstance(body, Rejection) else "hub triage: accepted"
    return await act_on(request, principal, referral_id, Action.REFERRAL_DECIDE, purpose, decided)


@router.post(
    "/referrals/{referral_id}/cancel",
    summary="Cancel the referral before first contact, with a reason (the hub, or the system that sent it)",
    response_model=None,
)
async def cancel_referral(
    referral_id: UUID, body: Cancellation, request: Request, principal: CurrentPrincipal
) -> dict[str, Any] | JSONResponse:
    """409 once first contact has been made (close the episode instead) or the referral is no longer open."""
    refuse(markup_problems(body.model_dump(mode="json")))

    async def cancelled(conn: DbConnection, referral: Referral, now: datetime) -> ReferralCancelled:
        event = cancel(referral, body, by=display_name(principal), at=now)
        await referrals.record_cancellation(conn, event)
        return event

    return await act_on(request, principal, referral_id, Action.REFERRAL_CANCEL, "cancelled", cancelled)
