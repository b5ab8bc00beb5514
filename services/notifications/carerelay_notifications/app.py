"""Wiring: the notifications service's FastAPI app, its event runtime and access control."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from carerelay_access.settings import AuthSettings
from carerelay_access.web import secured_service_app
from carerelay_events.runtime import EventRuntime

from .api import router
from .feed import FeedBell
from .handlers import FEED_TOPICS, HANDLERS
from .settings import NotificationsSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: NotificationsSettings | None = None, auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    runtime = EventRuntime(
        name="notifications",
        database_url=settings.database_url,
        handlers=HANDLERS,
        topics=FEED_TOPICS,
        relay_enabled=settings.relay_enabled,
    )
    bell = FeedBell()

    async def ring_the_bell(runtime: EventRuntime) -> None:
        await bell.start(runtime.pool)

    app = secured_service_app(
        name="notifications",
        title="CareRelay notifications",
        settings=settings,
        runtime=runtime,
        routers=[router],
        migrations=MIGRATIONS,
        auth=auth,
        on_started=ring_the_bell,
    )
    app.state.feed_bell = bell
    return app
