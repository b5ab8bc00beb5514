"""What every CareRelay service process shares: its event runtime, a request span per HTTP call
(continuing an incoming W3C `traceparent`), readable 422s, `/health` and `/metrics`, migrations at
start-up, and how it is served.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import orjson
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carerelay_events.handlers import Handlers
from carerelay_events.runtime import EventRuntime
from carerelay_events.tracing import tracer
from carerelay_events.transport.aiokafka import KafkaTransport
from carerelay_events.transport.base import Transport

from .migrations import migrate, service_migrations
from .problems import install_unavailable, install_validation_errors
from .settings import ServiceSettings

R = TypeVar("R")


def service_runtime(
    name: str, settings: ServiceSettings, handlers: Handlers[R], resources: R, transport: Transport | None = None
) -> EventRuntime[R]:
    """The event runtime of service `name`, from its settings: the real Kafka unless `transport`
    says otherwise (the in-memory broker, in handler tests)."""
    return EventRuntime(
        name=name,
        database_url=settings.database_url,
        handlers=handlers,
        resources=resources,
        transport=transport or KafkaTransport(settings.kafka),
        consumer_settings=settings.consumer,
        relay_enabled=settings.relay_enabled,
    )


class RequestSpans:
    """A SERVER span around each request, named by route template (never by values in the path).

    Plain ASGI rather than starlette's BaseHTTPMiddleware, whose `call_next` runs each request
    through extra tasks and memory streams (a fifth of the hub's time per POST under load, profiled
    in docs/performance.md). A streamed response's span lasts as long as the stream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/health", "/metrics"):
            await self.app(scope, receive, send)
            return
        parent = extract({name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]})
        method = scope["method"]
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracer().start_as_current_span(
            f"{method} {scope.get('root_path', '')}",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
        ) as span:
            try:
                await self.app(scope, receive, send_noting_status)
            finally:
                template = getattr(scope.get("route"), "path", None) or "unmatched"
                span.update_name(f"{method} {template}")
                span.set_attribute("http.route", template)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))


def operations_router(troubles: Callable[[], list[str]]) -> APIRouter:
    """`/health` (200 `{"status":"ok"}`, or 503 `{"status":"unhealthy","reasons":[...]}` saying what is
    wrong: `troubles()`, e.g. `EventRuntime.health`) and `/metrics`."""
    router = APIRouter(include_in_schema=False)

    @router.get("/health")
    async def health() -> Response:
        reasons = troubles()
        if not reasons:
            return Response('{"status":"ok"}', status_code=200, media_type="application/json")
        body = orjson.dumps({"status": "unhealthy", "reasons": reasons})
        return Response(body, status_code=503, media_type="application/json")

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; the app's lifespan stops its event runtime cleanly. On uvloop and httptools
    (docs/performance.md: the event loop and HTTP parsing were a large share of each request's CPU)."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on", loop="uvloop", http="httptools"
    )
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


def create_service_app(
    runtime: EventRuntime[Any],
    settings: ServiceSettings,
    routers: list[APIRouter],
    *,
    title: str,
    shared_migrations: Sequence[tuple[str, str]] = (),
    on_started: Callable[[EventRuntime[Any]], Awaitable[None]] | None = None,
    consume: bool = True,
) -> FastAPI:
    """Service `runtime.name`'s FastAPI app: its migrations (`service_migrations`) then the event
    runtime at start-up, request spans, readable 422s, `/health`, `/metrics`, and OpenAPI under
    `/api/<name>/`."""
    name = runtime.name
    migrations = service_migrations(name)

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
    install_unavailable(app)
    app.include_router(operations_router(runtime.health))
    for router in routers:
        app.include_router(router)
    return app


def runtime_of(request: Request) -> EventRuntime[Any]:
    """The event runtime of the app serving `request` (its pool and outbox)."""
    runtime: EventRuntime[Any] = request.app.state.runtime
    return runtime


def run_service(name: str, settings: ServiceSettings, create_app: Callable[[Any], FastAPI]) -> None:
    """A service's `python -m` entry point, given the settings it read once: logging, tracing, then serve."""
    from carerelay_events.tracing import configure_tracing

    from .logs import configure_logging

    configure_logging(name)
    configure_tracing(name, settings.tracing)
    serve(create_app(settings), settings.host, settings.port)
