"""The planner's tick: every minute or so, look for visits that have overrun (a clinician still in a
visit past its planned end) and re-plan the next hours when one has, or when the last tick's re-plan
(any instance's: read from `plan_runs` under the planner's lock) is older than `full_replan_minutes`.
It also makes care-plan visits as days come (replanning does).
A failure is logged and tried again at the next tick; it never stops the service's other work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from carerelay_events.runtime import EventRuntime
from carerelay_events.tracing import tracer

from ..domain.day_plan import rolling_window
from ..settings import SchedulingSettings
from ..store import plans, visits
from .replanning import replan

log = structlog.get_logger(__name__)

TICK = "tick"


async def find_overruns(runtime: EventRuntime[Any], now: datetime) -> int:
    """Mark visits newly past their planned end while still in progress; return how many."""
    async with runtime.pool.acquire() as conn:
        return await visits.mark_overruns(conn, now)


async def replan_now(
    runtime: EventRuntime[Any], settings: SchedulingSettings, trigger: str, *, unless_recent: bool = False
) -> bool:
    """Re-plan the next hours; with `unless_recent`, not when any instance's tick did within
    `full_replan_minutes` (judged under the planner's lock, so several instances make one tick's re-plan)."""
    now = datetime.now(UTC)
    with tracer().start_as_current_span("scheduling.tick", attributes={"carerelay.trigger": trigger}):
        async with runtime.pool.acquire() as conn, conn.transaction():
            await plans.lock_planner(conn)
            last = await plans.last_run_at(conn, TICK)
            if unless_recent and last is not None and now - last < timedelta(minutes=settings.full_replan_minutes):
                return False
            run = await replan(
                conn, runtime.outbox, rolling_window(now, settings.replan_hours), trigger, settings.replan_seconds, now
            )
    log.info("replanned", trigger=trigger, visits=run.visits, changes=run.changes, unassigned=run.unassigned)
    return True


def tick_loop(runtime: EventRuntime[Any], settings: SchedulingSettings) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """The tick, as a background task for `EventRuntime.run_in_background`."""

    async def run(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=settings.tick_seconds)
            if stopping.is_set():
                return
            try:
                overruns = await find_overruns(runtime, datetime.now(UTC))
                if overruns:
                    await replan_now(runtime, settings, "visit overran")
                else:
                    await replan_now(runtime, settings, TICK, unless_recent=True)
            except Exception:
                log.exception("planner tick failed")

    return run
