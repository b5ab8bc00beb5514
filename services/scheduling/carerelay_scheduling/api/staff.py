"""The rota as the screens see it: active staff with discipline, employer, team and base (no patient
data, so not audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes
from carerelay_service.app import runtime_of

from ..store import rota

router = APIRouter(prefix="/api/scheduling", tags=["scheduling"])


@router.get("/staff", summary="Staff on the rota (no patient data)")
async def list_staff(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    allowed_scopes(principal, Action.STAFF_READ)
    async with runtime_of(request).pool.acquire() as conn:
        rows = await rota.on_the_rota(conn)
    return {"items": [{**dict(row), "staff_id": str(row["staff_id"])} for row in rows]}
