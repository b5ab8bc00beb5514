"""What the hub's routes share: the practice directory, the referral a caller asks to act on and
the referrals a caller may list (both checked against the access matrix and audited), the one tail of
an action on a referral (`act_on`), the case a referral's events belong to, and the name a decision
or an addition is recorded under."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action
from carerelay_access.web import allowed_scopes, audit_list, authorise
from carerelay_contract.model import Event
from carerelay_events.case import Case, emit
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of
from carerelay_service.problems import conflict

from ..domain.directory import PracticeDirectory
from ..domain.referral import Conflict, Referral
from ..store import access, referrals
from ..store.referrals import ReferralQuery

PREFIX = "/api/referral"

CHANGES = (Action.REFERRAL_DECIDE, Action.REFERRAL_ADD_TO, Action.REFERRAL_CANCEL, Action.HOSPITAL_RECORD)
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


Act = Callable[[DbConnection, Referral, datetime], Awaitable[Event]]
"""What an action does to the referral (its own rows) and the event it causes; or Conflict."""


async def act_on(
    request: Request, principal: Principal, referral_id: UUID, action: Action, purpose: str, act: Act
) -> dict[str, Any] | JSONResponse:
    """The one tail of an action on a referral, in one transaction: the referral checked against the
    matrix and locked (`referral_for`), `act`, its event in the case's trace, the audit entry; the board
    row as it is now. A Conflict is a 409 answered inside the transaction, so the attempt stays audited."""
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        referral = await referral_for(request, conn, principal, referral_id, action)
        if referral is not None:
            try:
                event = await act(conn, referral, datetime.now(UTC))
            except Conflict as refused:
                return conflict(refused.detail, refused.kind, status=referral.status.value)
            await emit(conn, runtime.outbox, case_of(referral), event)
            await audit.record(conn, principal, action.value, "referral", [str(referral_id)], purpose)
            referral = await referrals.get(conn, referral_id)
    return shown(referral).board_row()


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
