"""The triage faust-streaming app. Records reach the shared EventProcessor through the faust
transport in libs/events; decisions leave through the outbox relay, like every other service."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import faust

from carerelay_events.faust_transport import attach_processor
from carerelay_events.migrations import migrate
from carerelay_events.processing import EventProcessor
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import KafkaSettings
from carerelay_events.topics import Topic, topic_name

from .handlers import HANDLERS
from .settings import TriageSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def faust_broker(kafka: KafkaSettings) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in kafka.bootstrap_servers.split(","))


def create_app(settings: TriageSettings | None = None, kafka: KafkaSettings | None = None) -> faust.App:
    settings = settings or TriageSettings()
    kafka = kafka or KafkaSettings()
    runtime = EventRuntime(
        name="triage", database_url=settings.database_url, handlers=HANDLERS, kafka=kafka, relay_enabled=settings.relay_enabled
    )
    ready = asyncio.Event()
    app = faust.App(
        "carerelay-triage",
        broker=faust_broker(kafka),
        broker_credentials=_credentials(kafka),
        store="memory://",
        topic_disable_leader=True,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        web_enabled=True,
        web_host=settings.host,
        web_port=settings.port,
        web_in_thread=False,
    )

    async def processor() -> EventProcessor:
        await ready.wait()
        return runtime.processor

    attach_processor(app, [topic_name(Topic.REFERRAL, kafka.topic_prefix)], processor, name="triage-referrals")

    @app.task
    async def start_runtime() -> None:
        await migrate(settings.database_url, MIGRATIONS)
        await runtime.start(consume=False)
        ready.set()

    @app.on_before_shutdown.connect
    async def stop_runtime(sender: Any, **_: Any) -> None:
        await runtime.stop()

    @app.page("/health")
    async def health(web: Any, request: Any) -> Any:
        ok = ready.is_set() and runtime.healthy()
        return web.json({"status": "ok" if ok else "starting"}, status=200 if ok else 503)

    return app


def _credentials(kafka: KafkaSettings) -> Any:
    if kafka.sasl_mechanism and kafka.sasl_username:
        password = kafka.sasl_password.get_secret_value() if kafka.sasl_password else ""
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=password,
            mechanism=kafka.sasl_mechanism,
        )
    return None
