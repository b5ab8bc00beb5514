"""The GP practice directory, for the phone desk's practice picker (no patient data; not audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes

from .deps import PREFIX, Directory

router = APIRouter(prefix=PREFIX, tags=["referrals"])


@router.get("/practices", summary="The GP practice directory (no patient data)")
async def search_practices(
    principal: CurrentPrincipal, directory: Directory, q: Annotated[str, Query(max_length=100)] = ""
) -> dict[str, Any]:
    allowed_scopes(principal, Action.DIRECTORY_READ)
    return {"items": [{"code": p.code, "name": p.name, "postcode": p.postcode} for p in directory.search(q)]}
