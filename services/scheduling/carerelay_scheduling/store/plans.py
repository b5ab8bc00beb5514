"""Planning runs (`plan_runs`), the re-plans asked for and waiting (`replan_requests`), and the lock that
serialises runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carerelay_events.db import DbConnection

from ..domain.day_plan import PlanRun, ReplanRequest, Window
from ..domain.rota import LONDON

PLANNER_LOCK = 7_411_103
REPLAN_CHANNEL = "carerelay_scheduling_replan"
"""NOTIFYed when a re-plan is asked for: the re-planner of every instance wakes (one plans, under the lock)."""


async def lock_planner(conn: DbConnection) -> None:
    """Hold the planner until the transaction ends, so two triggers never plan over each other."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", PLANNER_LOCK)


async def request_replan(conn: DbConnection, window: Window, trigger: str, now: datetime) -> None:
    """Ask for `window` to be re-planned, when the caller's transaction commits (and wake the re-planner then)."""
    await conn.execute(
        "INSERT INTO replan_requests (window_start, window_end, trigger, requested_at) VALUES ($1, $2, $3, $4)",
        window[0],
        window[1],
        trigger,
        now,
    )
    await conn.execute("SELECT pg_notify($1, '')", REPLAN_CHANNEL)


async def take_requests(conn: DbConnection) -> list[ReplanRequest]:
    """Every re-plan asked for and waiting, taken: gone when the caller's transaction commits, back if it
    rolls back. Hold the planner lock first, so two instances never take and plan the same requests."""
    rows = await conn.fetch("DELETE FROM replan_requests RETURNING window_start, window_end, trigger, requested_at")
    return [ReplanRequest((row["window_start"], row["window_end"]), row["trigger"], row["requested_at"]) for row in rows]


async def waiting_requests(conn: DbConnection) -> int:
    waiting: int = await conn.fetchval("SELECT count(*) FROM replan_requests")
    return waiting


async def record_run(conn: DbConnection, run: PlanRun, started_at: datetime) -> None:
    await conn.execute(
        """
        INSERT INTO plan_runs (run_id, day, trigger, started_at, solve_seconds, visits, assigned, unassigned, changes)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        run.run_id,
        run.window[0].astimezone(LONDON).date(),
        run.trigger,
        started_at,
        run.solve_seconds,
        run.visits,
        run.assigned,
        run.unassigned,
        run.changes,
    )


async def last_run_at(conn: DbConnection, trigger: str) -> datetime | None:
    """When the latest run with this trigger started (any instance's)."""
    at: datetime | None = await conn.fetchval("SELECT max(started_at) FROM plan_runs WHERE trigger = $1", trigger)
    return at


async def latest_runs(conn: DbConnection, limit: int = 5) -> list[Any]:
    return list(await conn.fetch("SELECT * FROM plan_runs ORDER BY started_at DESC LIMIT $1", limit))
