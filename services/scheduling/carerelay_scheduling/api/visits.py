"""The visits the caller may see (the access matrix's `visit.read`), by staff member or episode; every
read is audited with the ids shown and the relationship that allowed it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_service.app import runtime_of

from ..store import visits
from .views import listed_visit

router = APIRouter(prefix="/api/scheduling", tags=["scheduling"])


@router.get("/visits", summary="Visits the caller may see, by staff member or episode")
async def list_visits(
    request: Request,
    principal: CurrentPrincipal,
    staff_id: UUID | None = None,
    episode_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.VISIT_READ)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await visits.visible(conn, principal, scopes, staff_id, episode_id, limit)
        await audit_list(conn, principal, Action.VISIT_READ, "visit", [str(row["visit_id"]) for row in rows], scopes)
    return {"items": [listed_visit(row) for row in rows]}
