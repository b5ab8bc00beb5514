"""Wiring: the referral service's FastAPI app, its event runtime and access control."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from carerelay_access.settings import AuthSettings
from carerelay_access.web import secured_service_app
from carerelay_events.runtime import EventRuntime

from .api import router
from .handlers import FOLLOWED_TOPICS, HANDLERS
from .settings import ReferralSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: ReferralSettings | None = None, auth: AuthSettings | None = None) -> FastAPI:
    settings = settings or ReferralSettings()
    runtime = EventRuntime(
        name="referral",
        database_url=settings.database_url,
        handlers=HANDLERS,
        topics=FOLLOWED_TOPICS,
        relay_enabled=settings.relay_enabled,
    )
    app = secured_service_app(
        name="referral",
        title="CareRelay referral hub",
        settings=settings,
        runtime=runtime,
        routers=[router],
        migrations=MIGRATIONS,
        auth=auth,
    )
    app.state.settings = settings
    return app
