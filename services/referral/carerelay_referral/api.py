"""The referral API (REST, OpenAPI at /api/referral/docs)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response

from carerelay_events.catalogue import ReferralReceived
from carerelay_events.service import runtime_of

from . import store
from .intake import ReferralSubmission

router = APIRouter(prefix="/api/referral", tags=["referrals"])


@router.post("/referrals", status_code=201, summary="Take a referral")
async def submit_referral(
    submission: ReferralSubmission,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
    request_id: Annotated[str | None, Header(alias="X-Request-ID", max_length=200)] = None,
    correlation_id: Annotated[str | None, Header(alias="X-Correlation-ID", max_length=200)] = None,
) -> dict[str, Any]:
    """Store the referral and publish `referral.received` in one transaction. A retry with the same
    Idempotency-Key (or BaRS X-Request-ID) returns the first referral instead of making a second."""
    runtime = runtime_of(request)
    key = idempotency_key or request_id
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
        await store.insert_received(conn, event, correlation, key)
        await runtime.outbox.add(conn, event, correlation_id=correlation)
        row = await store.get(conn, event.referral_id)
    assert row is not None
    response.headers["Location"] = f"/api/referral/referrals/{event.referral_id}"
    response.headers["X-Correlation-ID"] = correlation
    return store.summary(row)


@router.get("/referrals/{referral_id}", summary="One referral and where it has got to")
async def get_referral(referral_id: UUID, request: Request) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn:
        row = await store.get(conn, referral_id)
    if row is None:
        raise HTTPException(status_code=404, detail="no such referral")
    return store.summary(row)


@router.get("/referrals", summary="Referrals, newest first, a page at a time")
async def list_referrals(
    request: Request,
    status: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn:
        rows = await store.page(conn, status, limit, offset)
    return {"items": [store.summary(row) for row in rows], "limit": limit, "offset": offset}
