"""What every CareRelay service process shares: its settings shape, a request span per HTTP call
(continuing an incoming W3C `traceparent`), `/health` and `/metrics`, and how it is served.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from .migrations import migrate
from .runtime import EventRuntime
from .tracing import tracer


class ServiceSettings(BaseSettings):
    """A service's own settings; subclasses set env_prefix, e.g. CARERELAY_REFERRAL_."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    database_url: str
    host: str = "127.0.0.1"
    port: int
    relay_enabled: bool = True
    """False only to prove the outbox: events are written but not published until a restart with it on."""


class RequestSpans(BaseHTTPMiddleware):
    """A SERVER span around each request, named by route template (never by values in the path)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path in ("/health", "/metrics"):
            return await call_next(request)
        parent = extract(dict(request.headers))
        with tracer().start_as_current_span(
            f"{request.method} {request.scope.get('root_path', '')}",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method},
        ) as span:
            response = await call_next(request)
            route = request.scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            span.update_name(f"{request.method} {template}")
            span.set_attribute("http.route", template)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response


def operations_router(healthy: Callable[[], bool]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/health")
    async def health() -> Response:
        ok = healthy()
        return Response(
            '{"status":"ok"}' if ok else '{"status":"unhealthy"}', status_code=200 if ok else 503, media_type="application/json"
        )

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; the app's lifespan stops its event runtime cleanly."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run()


async def run_until_signalled(start: Callable[[], Awaitable[Any]], stop: Callable[[], Awaitable[Any]]) -> None:
    """For a service without HTTP: start, wait for SIGINT/SIGTERM, stop."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    await start()
    await stopping.wait()
    await stop()


def install_validation_errors(app: FastAPI) -> None:
    """422 responses say which field and why, as `{"errors": [{"field": "patient.nhs_number", "reason": ...}]}`,
    without echoing the input back."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    async def on_invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        errors = []
        for item in error.errors():
            location = [str(part) for part in item.get("loc", ())]
            if len(location) > 1 and location[0] in ("body", "query", "path", "header"):
                location = location[1:]
            errors.append({"field": ".".join(location) or "(body)", "reason": str(item.get("msg", "invalid"))})
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, on_invalid)


def create_service_app(
    *,
    name: str,
    title: str,
    settings: ServiceSettings,
    runtime: EventRuntime,
    routers: list[APIRouter],
    migrations: Path | None,
    shared_migrations: Sequence[tuple[str, str]] = (),
    on_started: Callable[[EventRuntime], Awaitable[None]] | None = None,
    consume: bool = True,
) -> FastAPI:
    """A service's FastAPI app: migrations then the event runtime at start-up, request spans,
    readable 422s, `/health`, `/metrics`, and OpenAPI under `/api/<name>/`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate(settings.database_url, migrations, shared_migrations)
        await runtime.start(consume=consume)
        if on_started is not None:
            await on_started(runtime)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=f"/api/{name}/docs",
        openapi_url=f"/api/{name}/openapi.json",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.add_middleware(RequestSpans)
    install_validation_errors(app)
    app.include_router(operations_router(runtime.healthy))
    for router in routers:
        app.include_router(router)
    return app


def runtime_of(request: Request) -> EventRuntime:
    """The event runtime of the app serving `request` (its pool and outbox)."""
    runtime: EventRuntime = request.app.state.runtime
    return runtime


def run_service(name: str, settings: ServiceSettings, create_app: Callable[[Any], FastAPI]) -> None:
    """A service's `python -m` entry point: logging, tracing, then serve."""
    from .logs import configure_logging
    from .tracing import configure_tracing

    configure_logging(name)
    configure_tracing(name)
    serve(create_app(settings), settings.host, settings.port)
