"""Faults placed exactly: a trigger in a service's database that sleeps (`pg_sleep`) holds the service at
one step (the relay's mark, a consumer's commit). `held_sessions` waits until a session is held there."""

from __future__ import annotations

import asyncpg

from ..support.waiting import eventually

HELD_WITHIN_S = 60.0
"""The service, working as the stream runs, reaches the held step within this."""


async def held_sessions(admin: asyncpg.Connection, what: str) -> list[int]:
    """The pids of the database's sessions sleeping in the trigger, once there is one."""

    async def sleeping() -> list[int] | None:
        rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'")
        return [row["pid"] for row in rows] or None

    return await eventually(sleeping, within=HELD_WITHIN_S, what=what)
