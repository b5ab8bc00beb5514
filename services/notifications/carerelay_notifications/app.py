"""Wiring: the notifications service's FastAPI app, its event runtime (handlers given the `Reach`),
the live feed's bell, and the background tasks /health counts: the delivery worker and the
dead-letter watch."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import FastAPI

from carerelay_access.web import secured_service_app
from carerelay_events.bell import Bell
from carerelay_events.runtime import EventRuntime
from carerelay_events.transport.base import Transport
from carerelay_service.app import service_runtime
from carerelay_service.clock import ClockSettings, clock_from, system_clock

from .api import routers
from .channels import configured_channels
from .delivery.dead_letters import DeadLetterWatch
from .delivery.worker import DeliveryWorker
from .domain.reach import Reach
from .handlers import handlers
from .settings import NotificationsSettings
from .store import feed

log = structlog.get_logger(__name__)


def create_app(settings: NotificationsSettings, transport: Transport | None = None) -> FastAPI:
    """The service, from the settings `__main__` read; `transport` replaces Kafka in tests."""
    reach = settings.reach()
    runtime = service_runtime("notifications", settings, handlers, reach, transport)
    feed_bell = Bell(feed.CHANNEL)
    clock = clock_from()  # the system's, unless CARERELAY_CLOCK_FILE names a simulated one
    if clock is not system_clock:
        log.warning("the delivery worker runs on a simulated clock", clock_file=str(ClockSettings().file))
    worker = DeliveryWorker(settings, reach, configured_channels(settings), runtime.outbox, clock=clock)
    dead_letters = DeadLetterWatch(runtime.transport, f"{runtime.consumer_group}-dead-letters", reach, runtime.outbox)

    async def release_bell_when_stopping(stopping: asyncio.Event) -> None:
        # The bell holds a pool connection (LISTEN); the pool's close waits for every connection.
        await stopping.wait()
        await feed_bell.stop()

    async def on_started(runtime: EventRuntime[Reach]) -> None:
        await feed_bell.start(runtime.pool)
        runtime.run_in_background("feed-bell", release_bell_when_stopping)
        runtime.run_in_background("delivery", lambda stopping: worker.run(runtime.pool, stopping))
        runtime.run_in_background("dead-letter-watch", lambda stopping: dead_letters.run(runtime.pool, stopping))

    app = secured_service_app(runtime, settings, routers, title="CareRelay notifications", on_started=on_started)
    app.state.feed_bell = feed_bell
    return app
