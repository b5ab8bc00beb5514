"""The triage service: a faust-streaming worker. Records reach the shared EventProcessor through the
faust transport in libs/events; decisions and clock events leave through the outbox relay, like every
other service. The triage API (FastAPI) is served by uvicorn inside the same worker, and a faust
timer runs the response clocks."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Iterator
from typing import Any

import faust
import structlog
import uvicorn

from carerelay_access.web import secured_service_app
from carerelay_contract.topics import topic_name
from carerelay_events.catch_up import wait_for_catch_up
from carerelay_events.processing import EventProcessor
from carerelay_events.progress import Progress
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.faust import attach_processor
from carerelay_service.app import service_runtime

from . import clock_timer
from .api import routers
from .domain.rules.model import TriageRules
from .handlers import handlers
from .rules import load_rules
from .settings import TriageSettings

log = structlog.get_logger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn inside faust's worker: faust owns the process's signals, so uvicorn must not take them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def faust_broker(kafka: KafkaSettings) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in kafka.bootstrap_servers.split(","))


def create_app(settings: TriageSettings) -> faust.App:
    """The triage worker: the faust app consuming triage's topics into the shared EventProcessor,
    with the API served inside it and the response clocks' timer. The rules file is read here."""
    kafka = settings.kafka
    rules = load_rules(settings.rules_file)  # a bad rules file stops the service here, saying what is wrong
    runtime = service_runtime("triage", settings, handlers, rules)
    ready = asyncio.Event()

    async def on_started(_: EventRuntime[TriageRules]) -> None:
        ready.set()

    api = secured_service_app(runtime, settings, routers, title="CareRelay triage", on_started=on_started, consume=False)
    server = _QuietServer(
        uvicorn.Config(api, host=settings.host, port=settings.port, log_level="warning", lifespan="on", http="httptools")
    )

    app = faust.App(
        runtime.consumer_group,
        broker=faust_broker(kafka),
        broker_credentials=_credentials(kafka),
        store="memory://",
        topic_disable_leader=True,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        web_enabled=False,
    )

    async def processor() -> EventProcessor[TriageRules]:
        await ready.wait()
        return runtime.processor

    agent_progress = Progress(runtime.consumer_group, "faust agent")
    runtime.watch(agent_progress)  # /health: the agent making no progress while records wait is a stall
    topics = [topic_name(topic, kafka.topic_prefix) for topic in handlers.topics]
    attach_processor(app, topics, processor, "triage-events", agent_progress)

    clocks_free = asyncio.Event()
    """Set once the backlog waiting at the start is processed: until then a clock's deadline may have a
    first contact behind it, still unread (a false breach, then a "met" after it)."""

    @app.task
    async def free_the_clocks() -> None:
        await ready.wait()
        limit = settings.clock_catch_up_limit_seconds
        await wait_for_catch_up(kafka, runtime.consumer_group, topics, limit_seconds=limit)
        clocks_free.set()

    api_stopped = asyncio.Event()

    @app.task
    async def serve_api() -> None:
        try:
            await server.serve()
        finally:
            api_stopped.set()

    @app.timer(interval=settings.clock_tick_seconds)
    async def tick_clocks() -> None:
        if not clocks_free.is_set():
            return
        try:
            async with runtime.pool.acquire() as conn, conn.transaction():
                fired = await clock_timer.tick(conn, runtime.outbox)
            clock_timer.count(fired)
        except Exception as error:  # an outage: the next tick tries again, nothing is lost
            log.warning("response clock tick failed", error=type(error).__name__)

    @app.on_before_shutdown.connect
    async def stop_api(sender: Any, **kwargs: Any) -> None:
        server.should_exit = True
        # uvicorn never resets `server.started`: wait for `serve()` itself to return.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(api_stopped.wait(), timeout=10)

    return app


def _credentials(kafka: KafkaSettings) -> Any:
    """faust's credentials from the same settings as every other client: SASL (SCRAM) with or without
    TLS, or TLS alone."""
    tls = ssl.create_default_context(cafile=kafka.ssl_cafile) if kafka.security_protocol in ("SSL", "SASL_SSL") else None
    if kafka.sasl_mechanism and kafka.sasl_username:
        password = kafka.sasl_password.get_secret_value() if kafka.sasl_password else ""
        return faust.SASLCredentials(
            username=kafka.sasl_username, password=password, mechanism=kafka.sasl_mechanism, ssl_context=tls
        )
    if tls is not None:
        return faust.SSLCredentials(tls)
    return None
