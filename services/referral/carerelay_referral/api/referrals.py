"""Referrals: taking one, the board (a page of those the caller may see), one in full, and its
episode's timeline. Every route needs sign-in; what a caller may see follows the access matrix
(carerelay_access.matrix) and every access is audited. A referral is stored and published together
(the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request, Response

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.roles import Role
from carerelay_access.web import CurrentPrincipal, allowed_scopes
from carerelay_contract.vocabulary import ReferralRoute, ResponseTier
from carerelay_events.case import Case, emit
from carerelay_service.app import runtime_of
from carerelay_service.deps import CorrelationId, IdempotencyKey, RequestId
from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.problems import refuse

from ..domain.intake import ReferralSubmission, intake_key, submission_problems
from ..domain.referral import receive
from ..store import referrals, timeline
from ..store.referrals import ReferralQuery
from .deps import PREFIX, Directory, listed, referral_for, shown

router = APIRouter(prefix=PREFIX, tags=["referrals"])


@router.post("/referrals", status_code=201, summary="Take a referral")
async def take_referral(
    submission: ReferralSubmission,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    directory: Directory,
    idempotency_key: IdempotencyKey = None,
    request_id: RequestId = None,
    correlation_id: CorrelationId = None,
) -> dict[str, Any]:
    """Store the referral and publish `referral.received` in one transaction. A retry with the same
    Idempotency-Key (or BaRS X-Request-ID) returns 200 and the referral as it is now, instead of
    making a second."""
    allowed_scopes(principal, Action.REFERRAL_CREATE)
    refuse(submission_problems(submission, directory))
    runtime = runtime_of(request)
    submitted_by = principal.client_id if principal.has(Role.INTEGRATOR) else None
    key = intake_key(idempotency_key or request_id, submitted_by)
    once = IdempotentRequest(key, made_by=principal.subject, action=Action.REFERRAL_CREATE.value) if key else None
    case = Case.here(correlation_id or str(uuid4()))  # the case starts with this request: its trace is this one
    async with runtime.pool.acquire() as conn, conn.transaction():
        earlier = await replay(conn, once) if once else None
        if earlier is not None:
            response.status_code = 200
            taken = await referrals.get(conn, UUID(earlier["referral_id"]))
        else:
            event = receive(
                submission, episode_id=uuid4(), referral_id=uuid4(), at=datetime.now(UTC), submitted_by=submitted_by
            )
            await referrals.insert_received(conn, event, case, key, submitted_by)
            await emit(conn, runtime.outbox, case, event)
            purpose = "own submission" if submitted_by else "hub intake"
            await audit.record(conn, principal, Action.REFERRAL_CREATE.value, "referral", [str(event.referral_id)], purpose)
            if once:
                await remember(conn, once, {"referral_id": str(event.referral_id)})
            taken = await referrals.get(conn, event.referral_id)
            response.headers["Location"] = f"{PREFIX}/referrals/{event.referral_id}"
            response.headers["X-Correlation-ID"] = case.correlation_id or ""
    assert taken is not None
    return taken.board_row()


@router.get("/referrals/{referral_id}", summary="One referral, in full, and where it has got to")
async def get_referral(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        referral = await referral_for(request, conn, principal, referral_id, Action.REFERRAL_READ)
    return shown(referral).in_full()


@router.get("/referrals/{referral_id}/timeline", summary="Everything that happened in the referral's episode, in order")
async def get_timeline(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        referral = await referral_for(request, conn, principal, referral_id, Action.REFERRAL_READ)
        items = await timeline.timeline(conn, referral.episode_id) if referral is not None else []
    shown(referral)
    return {"items": items}


@router.get("/referrals", summary="Referrals the caller may see, a page at a time (open=true: the live board)")
async def list_referrals(
    request: Request,
    principal: CurrentPrincipal,
    status: Annotated[str | None, Query(max_length=40)] = None,
    open: Annotated[bool | None, Query(description="only referrals whose response clock is still running")] = None,
    tier: ResponseTier | None = None,
    route: ReferralRoute | None = None,
    team: Annotated[str | None, Query(max_length=60)] = None,
    locality: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    query = ReferralQuery(
        status=status,
        open=open,
        tier=tier.value if tier else None,
        route=route.value if route else None,
        team=team,
        locality=locality,
        limit=limit,
        offset=offset,
    )
    found = await listed(request, principal, query)
    return {"items": [referral.board_row() for referral in found], "limit": limit, "offset": offset}
