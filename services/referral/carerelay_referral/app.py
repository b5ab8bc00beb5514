"""Wiring: the referral service's FastAPI app, its event runtime and access control."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from carerelay_access.web import secured_service_app
from carerelay_service.app import service_runtime

from .api import router
from .handlers import handlers
from .settings import ReferralSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: ReferralSettings) -> FastAPI:
    runtime = service_runtime("referral", settings, handlers, settings)
    app = secured_service_app(
        name="referral",
        title="CareRelay referral hub",
        settings=settings,
        runtime=runtime,
        routers=[router],
        migrations=MIGRATIONS,
    )
    app.state.settings = settings
    return app
