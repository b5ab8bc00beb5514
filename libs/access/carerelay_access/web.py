"""FastAPI wiring for access: bearer-token sign-in on every route, the matrix check with its audit
entry, break-glass, and web hygiene (request size limit, CORS to the system's own origin only,
security headers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carerelay_events.db import DbConnection
from carerelay_events.runtime import EventRuntime
from carerelay_service.app import create_service_app

from . import audit
from .identity import Principal, TokenVerifier, Unauthenticated
from .matrix import Action, Decision, RecordFacts, decide, may_break_glass, scopes_for
from .matrix import Scope as AccessScope
from .roles import Role
from .settings import AuthSettings, SecuredServiceSettings

BREAK_GLASS_HEADER = "X-Break-Glass-Reason"

_bearer = HTTPBearer(auto_error=False)

PURPOSES: dict[AccessScope, str] = {
    AccessScope.ALL: "hub work",
    AccessScope.TEAM: "team caseload",
    AccessScope.ASSIGNED: "assigned visit",
    AccessScope.PRACTICE: "registered GP",
    AccessScope.OWN_SUBMISSIONS: "own submission",
    AccessScope.SELF: "own records",
    AccessScope.NO_PATIENT_DATA: "no patient data",
}


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The signed-in caller, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorised("sign in: a bearer token is required")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except Unauthenticated as error:
        raise _unauthorised(error.reason) from error
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def _unauthorised(reason: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=reason,
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{reason}"'},
    )


def allowed_scopes(principal: Principal, action: Action) -> set[AccessScope]:
    """The caller's scopes for `action`, or 403 when the matrix gives their roles none."""
    scopes = scopes_for(principal, action)
    if not scopes:
        raise HTTPException(status_code=403, detail=f"your role may not {action.value}")
    return scopes


async def authorise(
    request: Request,
    conn: DbConnection,
    principal: Principal,
    action: Action,
    facts: RecordFacts,
    resource_type: str,
    resource_id: str,
) -> Decision:
    """Decide by the matrix (or break-glass, with a reason) and audit the access either way.

    Returns the decision; call `enforce` on it once the transaction holding the audit entry has
    committed, so a denied attempt stays on the record."""
    decision = decide(principal, action, facts)
    purpose = PURPOSES.get(decision.scope, "") if decision.scope else decision.why
    reason = request.headers.get(BREAK_GLASS_HEADER, "").strip()
    if not decision.allowed and reason and may_break_glass(principal) and scopes_for(principal, action):
        if len(reason) < 10:
            raise HTTPException(status_code=422, detail=f"{BREAK_GLASS_HEADER} must say why (at least 10 characters)")
        decision = Decision(True, None, "break-glass")
        purpose = f"break-glass: {reason}"
    await audit.record(
        conn, principal, action.value, resource_type, [resource_id], purpose, "allowed" if decision.allowed else "denied"
    )
    return decision


def enforce(decision: Decision) -> None:
    """404 for a record outside the caller's relationship, so a caller cannot learn that a person
    is known to the service (their role may take the action, on other people)."""
    if not decision.allowed:
        raise HTTPException(status_code=404, detail="not found")


async def audit_list(
    conn: DbConnection, principal: Principal, action: Action, resource_type: str, ids: list[str], scopes: set[AccessScope]
) -> None:
    """Audit a list read: which records were shown, under which relationship."""
    purpose = ", ".join(sorted(PURPOSES[scope] for scope in scopes))
    await audit.record(conn, principal, action.value, resource_type, ids, purpose)


class BodySizeLimit:
    """413 for a request body over the limit, before the app reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse({"detail": f"request body over {self.max_bytes} bytes"}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await JSONResponse({"detail": f"request body over {self.max_bytes} bytes"}, status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def install_access(app: FastAPI, settings: AuthSettings) -> None:
    app.state.token_verifier = TokenVerifier(settings)
    app.state.auth_settings = settings

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.endswith("/docs"):
            # Swagger UI loads its script and styles from a CDN; docs are for developers, not patients' data.
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "X-Request-ID",
            "X-Correlation-ID",
            BREAK_GLASS_HEADER,
        ],
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)


def audit_router(service: str, pool_of: Callable[[Request], Any]) -> APIRouter:
    """The auditor's view of this service's audit trail."""
    router = APIRouter(prefix=f"/api/{service}/audit", tags=["audit"])

    @router.get("", summary="Audit entries, newest first")
    async def list_entries(
        request: Request,
        principal: CurrentPrincipal,
        resource_id: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        before_seq: Annotated[int | None, Query(ge=1)] = None,
    ) -> dict[str, Any]:
        allowed_scopes(principal, Action.AUDIT_READ)
        async with pool_of(request).acquire() as conn:
            items = await audit.entries(conn, resource_id, limit, before_seq)
            await audit.record(conn, principal, Action.AUDIT_READ.value, "audit-log", [resource_id or "*"], "audit review")
        return {"items": items}

    @router.get("/verify", summary="Check the audit chain has not been edited")
    async def verify_chain(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
        allowed_scopes(principal, Action.AUDIT_READ)
        async with pool_of(request).acquire() as conn:
            check = await audit.verify(conn)
        return {
            "intact": check.intact,
            "entries": check.entries,
            "first_broken_seq": check.first_broken_seq,
            "problem": check.problem,
        }

    return router


__all__ = [
    "BREAK_GLASS_HEADER",
    "PURPOSES",
    "CurrentPrincipal",
    "Role",
    "allowed_scopes",
    "audit_list",
    "audit_router",
    "authenticate",
    "authorise",
    "enforce",
    "install_access",
    "secured_service_app",
]


def secured_service_app(
    runtime: EventRuntime[Any],
    settings: SecuredServiceSettings,
    routers: list[APIRouter],
    *,
    title: str,
    on_started: Callable[[EventRuntime[Any]], Awaitable[None]] | None = None,
    consume: bool = True,
) -> FastAPI:
    """A service's app (carerelay_service.app.create_service_app) with sign-in, the audit trail
    and its auditor routes, and the web hygiene middleware."""
    routers = [*routers, audit_router(runtime.name, lambda request: runtime.pool)]
    app = create_service_app(
        runtime, settings, routers, title=title, shared_migrations=[audit.AUDIT_MIGRATION], on_started=on_started, consume=consume
    )
    install_access(app, settings.auth)
    return app
