"""Wiring: the notifications service's FastAPI app, its event runtime, the delivery worker and the
dead-letter watch (background tasks counted by /health), and access control."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from carerelay_access.web import secured_service_app
from carerelay_events.runtime import EventRuntime
from carerelay_service.app import service_runtime

from .api import router
from .channels import configured_channels
from .dead_letters import DeadLetterWatch
from .delivery import DeliveryWorker
from .feed import FeedBell
from .handlers import handlers
from .settings import NotificationsSettings
from .triggers import Triggers

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: NotificationsSettings) -> FastAPI:
    runtime = service_runtime("notifications", settings, handlers, Triggers(settings))
    bell = FeedBell()
    worker = DeliveryWorker(settings, configured_channels(settings), runtime.outbox)
    dead_letters = DeadLetterWatch(settings.kafka, settings, runtime.outbox, f"{runtime.consumer_group}-dead-letters")

    async def release_bell_when_stopping(stopping: asyncio.Event) -> None:
        # The bell holds a pool connection (LISTEN); the pool's close waits for every connection.
        await stopping.wait()
        await bell.stop()

    async def on_started(runtime: EventRuntime[Triggers]) -> None:
        await bell.start(runtime.pool)
        runtime.run_in_background("feed-bell", release_bell_when_stopping)
        runtime.run_in_background("delivery", lambda stopping: worker.run(runtime.pool, stopping))
        runtime.run_in_background("dead-letter-watch", lambda stopping: dead_letters.run(runtime.pool, stopping))

    app = secured_service_app(
        name="notifications",
        title="CareRelay notifications",
        settings=settings,
        runtime=runtime,
        routers=[router],
        migrations=MIGRATIONS,
        on_started=on_started,
    )
    app.state.feed_bell = bell
    app.state.settings = settings
    return app
