"""The scheduling API: staff and visits (the coordinator view and clinician app grow from here).
Every route needs sign-in; visits follow the access matrix and every read is audited."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_service.app import runtime_of

from ..store.visibility import visit_filter

router = APIRouter(prefix="/api/scheduling", tags=["scheduling"])


@router.get("/staff", summary="Staff on the rota (no patient data)")
async def list_staff(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    allowed_scopes(principal, Action.STAFF_READ)
    async with runtime_of(request).pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT s.staff_id, s.display_name, s.discipline, s.employer, s.team, b.name AS base
            FROM staff s JOIN bases b USING (base_id) WHERE s.active ORDER BY s.display_name
            """
        )
    return {"items": [{**dict(row), "staff_id": str(row["staff_id"])} for row in rows]}


@router.get("/visits", summary="Visits the caller may see, by staff member or episode")
async def list_visits(
    request: Request,
    principal: CurrentPrincipal,
    staff_id: UUID | None = None,
    episode_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.VISIT_READ)
    visible, params = visit_filter(principal, scopes, first_param=4)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"""
            SELECT v.*, u.reason AS unassigned_reason FROM visits v
            LEFT JOIN unassigned_visits u USING (visit_id) LEFT JOIN staff s ON s.staff_id = v.staff_id
            WHERE ($1::uuid IS NULL OR v.staff_id = $1) AND ($2::uuid IS NULL OR v.episode_id = $2) AND {visible}
            ORDER BY v.planned_start NULLS LAST, v.created_at LIMIT $3
            """,
            staff_id,
            episode_id,
            limit,
            *params,
        )
        await audit_list(conn, principal, Action.VISIT_READ, "visit", [str(row["visit_id"]) for row in rows], scopes)
    return {"items": [_visit(row) for row in rows]}


def _visit(row: Any) -> dict[str, Any]:
    return {
        "visit_id": str(row["visit_id"]),
        "episode_id": str(row["episode_id"]),
        "purpose": row["purpose"],
        "discipline": row["discipline"],
        "status": row["status"],
        "staff_id": str(row["staff_id"]) if row["staff_id"] else None,
        "planned_start": row["planned_start"].isoformat() if row["planned_start"] else None,
        "deadline": row["deadline"].isoformat() if row["deadline"] else None,
        "unassigned_reason": row["unassigned_reason"],
    }
