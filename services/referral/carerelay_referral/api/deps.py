"""What the hub's routes share: the practice directory, the referral a caller asks to act on and
the referrals a caller may list (both checked against the access matrix and audited), the case a
referral's events belong to, and the name a decision or an addition is recorded under."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request

from carerelay_access.identity import Principal
from carerelay_access.matrix import Action
from carerelay_access.web import allowed_scopes, audit_list, authorise
from carerelay_events.case import Case
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of

from ..domain.directory import PracticeDirectory
from ..domain.referral import Referral
from ..store import access, referrals
from ..store.referrals import ReferralQuery

PREFIX = "/api/referral"

CHANGES = (Action.REFERRAL_DECIDE, Action.REFERRAL_ADD_TO)
"""Actions that change the referral: it is locked for them until the transaction ends."""


def _directory(request: Request) -> PracticeDirectory:
    directory: PracticeDirectory = request.app.state.directory
    return directory


Directory = Annotated[PracticeDirectory, Depends(_directory)]
"""The GP practice directory, read once when the app was made."""


async def referral_for(
    request: Request, conn: DbConnection, principal: Principal, referral_id: UUID, action: Action
) -> Referral | None:
    """The referral, if the caller may take `action` on it; None if it is outside their relationship
    (raise `not_found` once the transaction holding the audit entry has committed). 403 when their
    role may not take the action at all, 404 when there is no such referral."""
    allowed_scopes(principal, action)
    referral = await referrals.get(conn, referral_id, for_update=action in CHANGES)
    if referral is None:
        raise not_found()
    facts = await access.facts(conn, referral)
    decision = await authorise(request, conn, principal, action, facts, "referral", str(referral_id))
    return referral if decision.allowed else None


def not_found() -> HTTPException:
    """The same answer for a referral outside the caller's relationship as for none at all, so a
    caller cannot learn that a person is known to the hub."""
    return HTTPException(status_code=404, detail="not found")


def shown(referral: Referral | None) -> Referral:
    """`referral`, or 404 when the caller may not see it."""
    if referral is None:
        raise not_found()
    return referral


def case_of(referral: Referral) -> Case:
    """The case the referral started: its events continue the trace of its first request."""
    return Case.stored(referral.correlation_id, referral.trace_context)


def display_name(principal: Principal) -> str:
    return principal.name or principal.client_id or principal.subject


async def listed(request: Request, principal: Principal, query: ReferralQuery) -> list[Referral]:
    """The referrals `query` finds among those the caller may see; the list read is audited."""
    scopes = allowed_scopes(principal, Action.REFERRAL_LIST)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        found = await referrals.page(conn, query, principal, scopes)
        shown_ids = [str(referral.referral_id) for referral in found]
        await audit_list(conn, principal, Action.REFERRAL_LIST, "referral", shown_ids, scopes)
    return found
