"""The referral API (REST, OpenAPI at /api/referral/docs). Every route needs sign-in; what a caller
may see follows the access matrix (carerelay_access.matrix), and every access is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.roles import Role
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list, authorise, enforce
from carerelay_events.catalogue import ReferralReceived
from carerelay_events.service import runtime_of

from . import access, store
from .intake import ReferralSubmission

router = APIRouter(prefix="/api/referral", tags=["referrals"])


@router.post("/referrals", status_code=201, summary="Take a referral")
async def submit_referral(
    submission: ReferralSubmission,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    request_id: Annotated[str | None, Header(alias="X-Request-ID", max_length=200)] = None,
    correlation_id: Annotated[str | None, Header(alias="X-Correlation-ID", max_length=200)] = None,
) -> dict[str, Any]:
    """Store the referral and publish `referral.received` in one transaction. A retry with the same
    Idempotency-Key (or BaRS X-Request-ID) returns the first referral instead of making a second."""
    allowed_scopes(principal, Action.REFERRAL_CREATE)
    runtime = runtime_of(request)
    submitted_by = principal.client_id if principal.has(Role.INTEGRATOR) else None
    key = idempotency_key or request_id
    if key is not None and submitted_by is not None:
        key = f"{submitted_by}:{key}"  # one integrator's keys never collide with another's
    correlation = correlation_id or str(uuid4())
    async with runtime.pool.acquire() as conn, conn.transaction():
        if key is not None:
            existing = await store.find_by_idempotency_key(conn, key)
            if existing is not None:
                response.status_code = 200
                return store.summary(existing)
        event = ReferralReceived(
            episode_id=uuid4(),
            referral_id=uuid4(),
            received_at=datetime.now(UTC),
            **submission.model_dump(),
        )
        await store.insert_received(conn, event, correlation, key, submitted_by)
        await runtime.outbox.add(conn, event, correlation_id=correlation)
        purpose = "own submission" if submitted_by else "hub intake"
        await audit.record(conn, principal, Action.REFERRAL_CREATE.value, "referral", [str(event.referral_id)], purpose)
        row = await store.get(conn, event.referral_id)
    assert row is not None
    response.headers["Location"] = f"/api/referral/referrals/{event.referral_id}"
    response.headers["X-Correlation-ID"] = correlation
    return store.summary(row)


@router.get("/referrals/{referral_id}", summary="One referral, in full, and where it has got to")
async def get_referral(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    allowed_scopes(principal, Action.REFERRAL_READ)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        row = await store.get(conn, referral_id)
        if row is None:
            raise HTTPException(status_code=404, detail="not found")
        decision = await authorise(
            request, conn, principal, Action.REFERRAL_READ, await access.facts(conn, row), "referral", str(referral_id)
        )
    enforce(decision)
    return store.detail(row)


@router.get("/referrals", summary="Referrals the caller may see, newest first, a page at a time")
async def list_referrals(
    request: Request,
    principal: CurrentPrincipal,
    status: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.REFERRAL_LIST)
    visible, params = access.list_filter(principal, scopes, first_param=4)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await store.page(conn, status, limit, offset, visible, params)
        await audit_list(conn, principal, Action.REFERRAL_LIST, "referral", [str(row["referral_id"]) for row in rows], scopes)
    return {"items": [store.summary(row) for row in rows], "limit": limit, "offset": offset}
