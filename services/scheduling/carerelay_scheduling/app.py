"""Wiring: the scheduling service's FastAPI app, its event runtime and access control."""

from __future__ import annotations

from fastapi import FastAPI

from carerelay_access.web import secured_service_app
from carerelay_events.runtime import EventRuntime
from carerelay_service.app import service_runtime

from .api import routers
from .handlers import handlers
from .planning.replanner import start_planning
from .settings import SchedulingSettings


def create_app(settings: SchedulingSettings) -> FastAPI:
    """The service: its event runtime (the settings are the handlers' resources and the routes'
    `runtime_of(request).resources`), the routers, and the planner's background work (the re-planner and
    the tick) once started."""
    runtime = service_runtime("scheduling", settings, handlers, settings)

    async def start_planner(started: EventRuntime[SchedulingSettings]) -> None:
        start_planning(started, settings)

    return secured_service_app(runtime, settings, routers, title="CareRelay scheduling", on_started=start_planner)
