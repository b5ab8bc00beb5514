"""The open-episode check: before taking a second referral for someone, the call handler asks
whether they already have an open one (and adds to it instead)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field

from carerelay_access.web import CurrentPrincipal
from carerelay_clinical.nhs_number import InvalidNhsNumber, validate_nhs_number
from carerelay_contract.model import Model
from carerelay_service.problems import invalid

from ..store.referrals import ReferralQuery
from .deps import PREFIX, listed

router = APIRouter(prefix=PREFIX, tags=["referrals"])


class OpenEpisodeSearch(Model):
    nhs_number: Annotated[str, Field(min_length=10, max_length=12)]


@router.post("/open-episodes/search", summary="Open referrals for an NHS number: check before taking a second referral")
async def open_episodes(search: OpenEpisodeSearch, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """A POST, so the NHS number travels in the body and never in a URL that a proxy might log."""
    try:
        number = validate_nhs_number(search.nhs_number)
    except InvalidNhsNumber as error:
        raise invalid((("nhs_number",), str(error))) from None
    found = await listed(request, principal, ReferralQuery(open=True, nhs_number=number, limit=20))
    return {"items": [referral.board_row() for referral in found]}
