"""The re-planner: a background task of every instance that runs the re-plans events ask for, batched.

A handler that plans a visit (a referral triaged and accepted, a lead transfer's assessment) does not
solve in its own transaction: it asks for a re-plan (`plans.request_replan`, which NOTIFYs on commit) and
returns, so the consumer moves straight on. The re-planner wakes on the NOTIFY (or its poll), takes the
planner lock, takes every request waiting and runs ONE re-plan over the window covering them all, in one
transaction with the requests' deletion. So re-plans never queue up one per referral: while one solves
(about `replan_seconds`), whatever arrives meanwhile waits and is planned together by the next, and a
burst of a hundred acceptances costs a handful of re-plans, each publishing only what changed.

Several instances share the table: each wakes, one holds the lock and plans, the others then find
nothing waiting. A failed re-plan rolls back and leaves its requests for the next try."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import structlog

from carerelay_events.bell import Bell
from carerelay_events.processing import INFRASTRUCTURE_ERRORS
from carerelay_events.runtime import EventRuntime
from carerelay_events.tracing import tracer

from ..domain.day_plan import PlanRun, batched
from ..settings import SchedulingSettings
from ..store import plans
from .replanning import replan
from .tick import tick_loop

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 1.0


async def replan_requested(runtime: EventRuntime[Any], settings: SchedulingSettings) -> PlanRun | None:
    """Run one re-plan for every request waiting; None when nothing was."""
    async with runtime.pool.acquire() as conn, conn.transaction():
        await plans.lock_planner(conn)
        requests = await plans.take_requests(conn)
        if not requests:
            return None
        now = datetime.now(UTC)
        window, trigger = batched(requests, now)
        with tracer().start_as_current_span(
            "scheduling.replan-requested", attributes={"carerelay.replan.requests": len(requests)}
        ):
            run = await replan(conn, runtime.outbox, window, trigger, settings.replan_seconds, now)
    log.info("replanned", trigger="requested", requests=len(requests), visits=run.visits, changes=run.changes)
    return run


def replanner_loop(
    runtime: EventRuntime[Any], settings: SchedulingSettings
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """The re-planner, as a background task for `EventRuntime.run_in_background`."""

    async def run(stopping: asyncio.Event) -> None:
        bell = Bell(plans.REPLAN_CHANNEL)
        await bell.start(runtime.pool)
        try:
            while not stopping.is_set():
                seen = bell.generation
                try:
                    while not stopping.is_set() and await replan_requested(runtime, settings) is not None:
                        pass  # what arrived while that re-plan solved is planned by the next, at once
                except INFRASTRUCTURE_ERRORS as outage:
                    log.warning("re-planner: database unavailable; retrying", error=type(outage).__name__)
                    await asyncio.sleep(RETRY_AFTER_SECONDS)
                    continue
                except Exception:
                    log.exception("re-plan failed; its requests wait for the next try")
                    await asyncio.sleep(RETRY_AFTER_SECONDS)
                    continue
                await bell.wait(seen, within=settings.replan_poll_seconds)
        finally:
            await bell.stop()

    return run


def start_planning(runtime: EventRuntime[SchedulingSettings], settings: SchedulingSettings) -> None:
    """The planner's background work on a started runtime: the re-planner and the tick."""
    runtime.run_in_background("replanner", replanner_loop(runtime, settings))
    runtime.run_in_background("planner-tick", tick_loop(runtime, settings))
