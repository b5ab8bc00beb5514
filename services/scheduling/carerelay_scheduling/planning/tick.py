"""The planner's tick: every minute or so, look for visits that have overrun (a clinician still in a
visit past its planned end) and re-plan the next hours when one has, or when the last full re-plan
is older than `full_replan_minutes`. It also makes care-plan visits as days come (replanning does).
A failure is logged and tried again at the next tick; it never stops the service's other work."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import structlog

from carerelay_events.runtime import EventRuntime
from carerelay_events.tracing import tracer

from ..domain.day_plan import rolling_window
from ..settings import SchedulingSettings
from ..store import visits
from .replanning import replan

log = structlog.get_logger(__name__)


async def find_overruns(runtime: EventRuntime[Any], now: datetime) -> int:
    """Mark visits newly past their planned end while still in progress; return how many."""
    async with runtime.pool.acquire() as conn:
        return await visits.mark_overruns(conn, now)


async def replan_now(runtime: EventRuntime[Any], settings: SchedulingSettings, trigger: str) -> None:
    now = datetime.now(UTC)
    with tracer().start_as_current_span("scheduling.tick", attributes={"carerelay.trigger": trigger}):
        async with runtime.pool.acquire() as conn, conn.transaction():
            run = await replan(
                conn, runtime.outbox, rolling_window(now, settings.replan_hours), trigger, settings.replan_seconds, now
            )
    log.info("replanned", trigger=trigger, visits=run.visits, changes=run.changes, unassigned=run.unassigned)


def tick_loop(runtime: EventRuntime[Any], settings: SchedulingSettings) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """The tick, as a background task for `EventRuntime.run_in_background`."""

    async def run(stopping: asyncio.Event) -> None:
        last_full = 0.0
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=settings.tick_seconds)
            if stopping.is_set():
                return
            try:
                overruns = await find_overruns(runtime, datetime.now(UTC))
                if overruns or time.monotonic() - last_full > settings.full_replan_minutes * 60:
                    await replan_now(runtime, settings, "visit overran" if overruns else "tick")
                    last_full = time.monotonic()
            except Exception:
                log.exception("planner tick failed")

    return run
