"""Additions to an open referral: a second call about the same person adds what is new (reason,
needs, risks, access notes) instead of taking a second referral. Idempotent on `Idempotency-Key`."""

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
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox
from carerelay_service.app import runtime_of
from carerelay_service.deps import IdempotencyKey
from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.problems import conflict, refuse

from ..domain.intake import ReferralAdditions, markup_problems
from ..domain.referral import Conflict, Referral, add_to
from ..store import referrals
from .deps import PREFIX, case_of, display_name, referral_for, shown

router = APIRouter(prefix=PREFIX, tags=["referrals"])


@router.post(
    "/referrals/{referral_id}/additions",
    summary="Add information to an open referral instead of taking a second",
    response_model=None,
)
async def add_to_referral(
    referral_id: UUID,
    additions: ReferralAdditions,
    request: Request,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any] | JSONResponse:
    """Add to the referral and publish `referral.updated` in one transaction; 409 if it is no longer
    open. A retry with the same Idempotency-Key adds nothing again and returns the referral as it is."""
    refuse(markup_problems(additions.model_dump(mode="json")))
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        referral = await referral_for(request, conn, principal, referral_id, Action.REFERRAL_ADD_TO)
        if referral is not None:
            try:
                referral = await _add(conn, runtime.outbox, referral, additions, principal, idempotency_key)
            except Conflict as refused:
                # Answered from inside the transaction, so it commits with the attempt in the audit trail.
                return conflict(refused.detail, refused.kind, status=referral.status.value)
    return shown(referral).board_row()


async def _add(
    conn: DbConnection, outbox: Outbox, referral: Referral, additions: ReferralAdditions, principal: Principal, key: str | None
) -> Referral:
    now = datetime.now(UTC)
    event = add_to(referral, additions, by=display_name(principal), at=now)
    once = IdempotentRequest(key, principal.subject, Action.REFERRAL_ADD_TO.value, str(referral.referral_id)) if key else None
    if once is None or await replay(conn, once) is None:
        await referrals.record_additions(conn, referral.referral_id, additions.given(), now)
        await emit(conn, outbox, case_of(referral), event, span="referral.add-to")
        await audit.record(conn, principal, Action.REFERRAL_ADD_TO.value, "referral", [str(referral.referral_id)], "hub intake")
        if once is not None:
            await remember(conn, once, {"referral_id": str(referral.referral_id)})
    updated = await referrals.get(conn, referral.referral_id)
    assert updated is not None
    return updated
