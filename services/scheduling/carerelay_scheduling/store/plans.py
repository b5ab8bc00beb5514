"""Planning runs (`plan_runs`), and the lock that serialises them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from carerelay_events.db import DbConnection

from ..domain.day_plan import PlanRun
from ..domain.rota import LONDON

PLANNER_LOCK = 7_411_103


async def lock_planner(conn: DbConnection) -> None:
    """Hold the planner until the transaction ends, so two triggers never plan over each other."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", PLANNER_LOCK)


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


async def latest_runs(conn: DbConnection, limit: int = 5) -> list[Any]:
    return list(await conn.fetch("SELECT * FROM plan_runs ORDER BY started_at DESC LIMIT $1", limit))
