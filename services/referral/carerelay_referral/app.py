"""Wiring: the referral hub's FastAPI app, its event runtime and access control, and the practice
directory read once from the file its settings name."""

from __future__ import annotations

from fastapi import FastAPI

from carerelay_access.web import secured_service_app
from carerelay_events.transport.base import Transport
from carerelay_service.app import service_runtime

from .api import routers
from .handlers import handlers
from .settings import ReferralSettings
from .store.directory import load_directory


def create_app(settings: ReferralSettings, transport: Transport | None = None) -> FastAPI:
    """The hub's app; `transport` is the real Kafka unless a test gives the in-memory broker."""
    runtime = service_runtime("referral", settings, handlers, settings, transport)
    app = secured_service_app(runtime, settings, routers, title="CareRelay referral hub")
    app.state.directory = load_directory(settings.practices_file)
    return app
