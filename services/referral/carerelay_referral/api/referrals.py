"""The referral API (REST, OpenAPI at /api/referral/docs). Every route needs sign-in; what a caller
may see follows the access matrix (carerelay_access.matrix), and every access is audited. Every
change is stored and published together (the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NoReturn
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import Field

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action
from carerelay_access.roles import Role
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list, authorise
from carerelay_clinical.nhs_number import InvalidNhsNumber, validate_nhs_number
from carerelay_contract.model import Model
from carerelay_contract.notification import NotificationRequested
from carerelay_contract.referral import ReferralAccepted, ReferralReceived, ReferralRejected, ReferralUpdated
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel, ReferralRoute, ResponseTier
from carerelay_events.db import DbConnection
from carerelay_events.runtime import EventRuntime
from carerelay_events.tracing import case_span
from carerelay_service.app import runtime_of

from . import access, practices, store
from .intake import Acceptance, ReferralAdditions, ReferralSubmission, Rejection, markup_in
from .localities import locality_of

router = APIRouter(prefix="/api/referral", tags=["referrals"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
RequestId = Annotated[str | None, Header(alias="X-Request-ID", max_length=200)]


def _refuse(errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    if errors:
        raise RequestValidationError(
            [{"loc": ("body", *path), "msg": message, "type": "value_error"} for path, message in errors]
        )


def _no_markup(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(path, "must not contain markup such as <script>") for path in markup_in(data)]


def _display_name(principal: Principal) -> str:
    return principal.name or principal.client_id or principal.subject


@router.post("/referrals", status_code=201, summary="Take a referral")
async def submit_referral(
    submission: ReferralSubmission,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
    request_id: RequestId = None,
    correlation_id: Annotated[str | None, Header(alias="X-Correlation-ID", max_length=200)] = None,
) -> dict[str, Any]:
    """Store the referral and publish `referral.received` in one transaction. A retry with the same
    Idempotency-Key (or BaRS X-Request-ID) returns the first referral instead of making a second."""
    allowed_scopes(principal, Action.REFERRAL_CREATE)
    directory = practices.load(request.app.state.settings.practices_file)
    problems = _no_markup(submission.model_dump(mode="json"))
    if submission.patient.gp_practice_code not in directory:
        problems.append((("patient", "gp_practice_code"), "unknown GP practice code (not in the practice directory)"))
    _refuse(problems)
    runtime = runtime_of(request)
    submitted_by = principal.client_id if principal.has(Role.INTEGRATOR) else None
    key = idempotency_key or request_id
    if key is not None and submitted_by is not None:
        key = f"{submitted_by}:{key}"  # one integrator's keys never collide with another's
    correlation = correlation_id or str(uuid4())
    place = locality_of(submission.patient.postcode)
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
            locality=place.name if place else None,
            team=place.team if place else None,
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


async def _read(request: Request, conn: DbConnection, principal: Principal, referral_id: UUID, action: Action) -> Any:
    """The referral row if the caller may take `action` on it (audited); 403/404 otherwise."""
    allowed_scopes(principal, action)
    row = await store.get(conn, referral_id, for_update=action in (Action.REFERRAL_DECIDE, Action.REFERRAL_ADD_TO))
    if row is None:
        raise HTTPException(status_code=404, detail="not found")
    decision = await authorise(request, conn, principal, action, await access.facts(conn, row), "referral", str(referral_id))
    return row if decision.allowed else None


@router.get("/referrals/{referral_id}", summary="One referral, in full, and where it has got to")
async def get_referral(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        row = await _read(request, conn, principal, referral_id, Action.REFERRAL_READ)
    if row is None:
        enforce_denied()
    return store.detail(row)


def enforce_denied() -> NoReturn:
    raise HTTPException(status_code=404, detail="not found")


@router.get("/referrals/{referral_id}/timeline", summary="Everything that happened in the referral's episode, in order")
async def get_timeline(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        row = await _read(request, conn, principal, referral_id, Action.REFERRAL_READ)
        items = await store.timeline(conn, row["episode_id"]) if row is not None else []
    if row is None:
        enforce_denied()
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
    scopes = allowed_scopes(principal, Action.REFERRAL_LIST)
    visible, params = access.list_filter(principal, scopes, first_param=11)
    filters = {
        "status": status,
        "open": open,
        "tier": tier.value if tier else None,
        "route": route.value if route else None,
        "team": team,
        "locality": locality,
    }
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await store.page(conn, filters, limit, offset, visible, params)
        await audit_list(conn, principal, Action.REFERRAL_LIST, "referral", [str(row["referral_id"]) for row in rows], scopes)
    return {"items": [store.summary(row) for row in rows], "limit": limit, "offset": offset}


class OpenEpisodeSearch(Model):
    nhs_number: Annotated[str, Field(min_length=10, max_length=12)]


@router.post("/open-episodes/search", summary="Open referrals for an NHS number: check before taking a second referral")
async def open_episodes(search: OpenEpisodeSearch, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """A POST, so the NHS number travels in the body and never in a URL that a proxy might log."""
    try:
        number = validate_nhs_number(search.nhs_number)
    except InvalidNhsNumber as error:
        raise RequestValidationError([{"loc": ("body", "nhs_number"), "msg": str(error), "type": "value_error"}]) from None
    scopes = allowed_scopes(principal, Action.REFERRAL_LIST)
    visible, params = access.list_filter(principal, scopes, first_param=11)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await store.page(conn, {"open": True, "nhs_number": number}, 20, 0, visible, params)
        await audit_list(conn, principal, Action.REFERRAL_LIST, "referral", [str(row["referral_id"]) for row in rows], scopes)
    return {"items": [store.summary(row) for row in rows]}


@router.post("/referrals/{referral_id}/additions", summary="Add information to an open referral instead of taking a second")
async def add_to_referral(
    referral_id: UUID,
    additions: ReferralAdditions,
    request: Request,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    _refuse(_no_markup(additions.model_dump(mode="json")))
    runtime = runtime_of(request)
    now = datetime.now(UTC)
    refusal: HTTPException | None = None
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await _read(request, conn, principal, referral_id, Action.REFERRAL_ADD_TO)
        if row is None:
            refusal = HTTPException(status_code=404, detail="not found")
        elif row["status"] in store.CLOSED_STATUSES:
            refusal = HTTPException(status_code=409, detail=f"the referral is {row['status']}: take a new referral instead")
        elif idempotency_key is None or await store.claim_addition_key(conn, idempotency_key, referral_id, now):
            given = additions.model_dump(mode="json", exclude_none=True)
            await store.record_additions(conn, referral_id, given, now)
            with case_span("referral.add-to", store.case_trace(row)):
                await runtime.outbox.add(
                    conn,
                    ReferralUpdated(
                        episode_id=row["episode_id"],
                        referral_id=referral_id,
                        updated_at=now,
                        updated_by=_display_name(principal),
                        **additions.model_dump(),
                    ),
                    correlation_id=row["correlation_id"],
                )
            await audit.record(conn, principal, Action.REFERRAL_ADD_TO.value, "referral", [str(referral_id)], "hub intake")
        updated = await store.get(conn, referral_id)
    if refusal is not None:
        raise refusal  # after the commit, so the attempt stays in the audit trail
    assert updated is not None
    return store.summary(updated)


@router.post("/referrals/{referral_id}/accept", summary="Accept the referral; the referrer is told")
async def accept_referral(referral_id: UUID, body: Acceptance, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return await _decide(request, principal, referral_id, "accepted", None)


@router.post("/referrals/{referral_id}/reject", summary="Reject the referral with a reason; the referrer is told")
async def reject_referral(referral_id: UUID, body: Rejection, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    _refuse(_no_markup(body.model_dump(mode="json")))
    return await _decide(request, principal, referral_id, "rejected", body.reason)


async def _decide(
    request: Request, principal: Principal, referral_id: UUID, outcome: Literal["accepted", "rejected"], reason: str | None
) -> dict[str, Any]:
    runtime = runtime_of(request)
    now = datetime.now(UTC)
    who = _display_name(principal)
    refusal: HTTPException | None = None
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await _read(request, conn, principal, referral_id, Action.REFERRAL_DECIDE)
        if row is None:
            refusal = HTTPException(status_code=404, detail="not found")
        elif row["status"] not in store.UNDECIDED_STATUSES:
            refusal = HTTPException(status_code=409, detail=f"the referral is already {row['status']}")
        else:
            await store.record_decision(conn, referral_id, outcome, now, who, reason)
            if outcome == "accepted":
                event: ReferralAccepted | ReferralRejected = ReferralAccepted(
                    episode_id=row["episode_id"], referral_id=referral_id, accepted_at=now, accepted_by=who
                )
            else:
                event = ReferralRejected(
                    episode_id=row["episode_id"], referral_id=referral_id, rejected_at=now, rejected_by=who, reason=reason or ""
                )
            with case_span(f"referral.{outcome}", store.case_trace(row)):
                event_id = await runtime.outbox.add(conn, event, correlation_id=row["correlation_id"])
                await _tell_referrer(runtime, conn, row, outcome, event_id, now)
            await audit.record(
                conn, principal, Action.REFERRAL_DECIDE.value, "referral", [str(referral_id)], f"hub triage: {outcome}"
            )
        updated = await store.get(conn, referral_id)
    if refusal is not None:
        raise refusal  # after the commit, so the attempt stays in the audit trail
    assert updated is not None
    return store.summary(updated)


async def _tell_referrer(
    runtime: EventRuntime[Any], conn: DbConnection, row: Any, outcome: str, event_id: str, now: datetime
) -> None:
    """As BaRS expects of a receiving service: the referring system (webhook) or person (SMS to the
    call-back number on the referral) is told the outcome. Notifications delivers it."""
    channel = NotificationChannel.WEBHOOK if row["submitted_by"] else NotificationChannel.SMS
    await runtime.outbox.add(
        conn,
        NotificationRequested(
            episode_id=row["episode_id"],
            notification_id=uuid4(),
            audience=NotificationAudience.REFERRER,
            channel=channel,
            recipient_ref=f"referral:{row['referral_id']}",
            template=f"referral-{outcome}",
            trigger_event_id=event_id,
            requested_at=now,
        ),
        correlation_id=row["correlation_id"],
    )


@router.get("/practices", summary="The GP practice directory (no patient data)")
async def search_practices(
    request: Request, principal: CurrentPrincipal, q: Annotated[str, Query(max_length=100)] = ""
) -> dict[str, Any]:
    allowed_scopes(principal, Action.DIRECTORY_READ)
    directory = practices.load(request.app.state.settings.practices_file)
    return {"items": [{"code": p.code, "name": p.name, "postcode": p.postcode} for p in practices.search(directory, q)]}
