"""Wiring: the notifications service's FastAPI app, its event runtime, the delivery worker and the
dead-letter watch (background tasks counted by /health), and access control."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from carerelay_access.settings import AuthSettings
from carerelay_access.web import secured_service_app
from carerelay_events.runtime import EventRuntime

from .api import router
from .channels import configured_channels
from .dead_letters import DeadLetterWatch
from .delivery import DeliveryWorker
from .feed import FeedBell
from .handlers import FEED_TOPICS, handlers_for
from .settings import NotificationsSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: NotificationsSettings | None = None, auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = EventRuntime(
        name="notifications",
        database_url=settings.database_url,
        handlers=handlers_for(settings),
        topics=FEED_TOPICS,
        relay_enabled=settings.relay_enabled,
    )
    bell = FeedBell()
    worker = DeliveryWorker(settings, configured_channels(settings), runtime.outbox)
    dead_letters = DeadLetterWatch(runtime.kafka, settings, runtime.outbox, f"{runtime.consumer_group}-dead-letters")

    async def on_started(runtime: EventRuntime) -> None:
        await bell.start(runtime.pool)
        runtime.run_in_background("delivery", lambda stopping: worker.run(runtime.pool, stopping))
        runtime.run_in_background("dead-letter-watch", lambda stopping: dead_letters.run(runtime.pool, stopping))

    app = secured_service_app(
        name="notifications",
        title="CareRelay notifications",
        settings=settings,
        runtime=runtime,
        routers=[router],
        migrations=MIGRATIONS,
        auth=auth,
        on_started=on_started,
    )
    app.state.feed_bell = bell
    app.state.settings = settings
    return app
