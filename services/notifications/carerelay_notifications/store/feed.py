"""The live feed: every event that a screen may show, appended in order (its `seq` is the SSE event
id a reconnecting screen resumes from), with who may see it. Filtering follows the access matrix:
the hub sees every episode, a coordinator their team's, field staff the people they are assigned to."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy

from carerelay_access.identity import Principal
from carerelay_access.matrix import Scope, scope_filter
from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.visit import VisitAssigned
from carerelay_events.processing import HandlerContext

log = structlog.get_logger(__name__)

CHANNEL = "carerelay_screen_feed"


async def append(event: Event, context: HandlerContext[Any]) -> None:
    """Record the event for screens (in the handler's transaction) and wake the streams."""
    if event.episode_id is None:
        return
    conn = context.conn
    if isinstance(event, ReferralReceived):
        await conn.execute(
            """
            INSERT INTO episode_access (episode_id, referral_id, team) VALUES ($1, $2, $3)
            ON CONFLICT (episode_id) DO UPDATE SET referral_id = $2, team = $3
            """,
            event.episode_id,
            event.referral_id,
            event.team,
        )
    staff_id: UUID | None = getattr(event, "staff_id", None)
    if isinstance(event, VisitAssigned):
        await conn.execute(
            "INSERT INTO episode_staff (episode_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            event.episode_id,
            event.staff_id,
        )
    referral_id: UUID | None = getattr(event, "referral_id", None)
    if referral_id is None:
        referral_id = await conn.fetchval("SELECT referral_id FROM episode_access WHERE episode_id = $1", event.episode_id)
    await conn.execute(
        """
        INSERT INTO screen_feed (event_id, episode_id, type, at, referral_id, visit_id, staff_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING
        """,
        context.metadata.id,
        event.episode_id,
        event.event_type,
        context.metadata.time,
        referral_id,
        getattr(event, "visit_id", None),
        staff_id,
    )
    await conn.execute("SELECT pg_notify($1, '')", CHANNEL)


def visible_filter(principal: Principal, scopes: set[Scope], first_param: int) -> tuple[str, list[Any]]:
    """A SQL condition on `f` (screen_feed) admitting the rows the caller may see."""
    return scope_filter(
        principal,
        scopes,
        first_param,
        {
            Scope.TEAM: "f.episode_id IN (SELECT episode_id FROM episode_access WHERE team = {})",
            Scope.ASSIGNED: "f.episode_id IN (SELECT episode_id FROM episode_staff WHERE staff_id = {})",
            Scope.OWN_SUBMISSIONS: "f.episode_id IN (SELECT episode_id FROM episode_access WHERE submitted_by = {})",
        },
    )


async def rows_after(
    conn: PoolConnectionProxy[asyncpg.Record], after: int, visible: str, params: list[Any]
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT * FROM screen_feed f WHERE f.seq > $1 AND {visible} ORDER BY f.seq LIMIT 500", after, *params
    )
    return [
        {
            "seq": row["seq"],
            "type": row["type"],
            "data": {
                "episode_id": str(row["episode_id"]),
                "referral_id": str(row["referral_id"]) if row["referral_id"] else None,
                "visit_id": str(row["visit_id"]) if row["visit_id"] else None,
                "staff_id": str(row["staff_id"]) if row["staff_id"] else None,
                "type": row["type"],
                "at": row["at"].isoformat(),
            },
        }
        for row in rows
    ]


class FeedBell:
    """One LISTEN connection per process; every open stream waits on it for new rows."""

    def __init__(self) -> None:
        self._generation = 0
        self._changed = asyncio.Condition()
        self._listener: PoolConnectionProxy[asyncpg.Record] | None = None
        self._pool: asyncpg.Pool | None = None

    async def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._listener = await pool.acquire()
        await self._listener.add_listener(CHANNEL, self._ring)

    async def stop(self) -> None:
        if self._listener is not None and self._pool is not None:
            with contextlib.suppress(Exception):
                await self._listener.remove_listener(CHANNEL, self._ring)
                await self._pool.release(self._listener)

    def _ring(self, *_: object) -> None:
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._generation += 1
            self._changed.notify_all()

    @property
    def generation(self) -> int:
        return self._generation

    async def wait(self, seen: int, within: float) -> int:
        """Wait until something new was appended after generation `seen`, or `within` seconds."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._generation != seen), within)
            return self._generation
