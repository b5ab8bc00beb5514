"""A bell on a PostgreSQL NOTIFY channel: one LISTEN connection per process, and any number of
waiters (open streams on the feed, the delivery worker's loops) woken when something new is written."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from asyncpg.pool import PoolConnectionProxy


class Bell:
    """Rings on each NOTIFY on `channel`. A waiter notes `generation` before it looks for work, then
    waits for a later one, so a ring between the two is never missed."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._generation = 0
        self._changed = asyncio.Condition()
        self._listener: PoolConnectionProxy[asyncpg.Record] | None = None
        self._pool: asyncpg.Pool | None = None

    async def start(self, pool: asyncpg.Pool) -> None:
        """Hold one of `pool`'s connections, listening, until `stop`."""
        self._pool = pool
        self._listener = await pool.acquire()
        await self._listener.add_listener(self.channel, self._ring)

    async def stop(self) -> None:
        if self._listener is not None and self._pool is not None:
            with contextlib.suppress(Exception):
                await self._listener.remove_listener(self.channel, self._ring)
                await self._pool.release(self._listener)
            self._listener = None

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
        """Wait until the bell has rung since generation `seen`, or `within` seconds; the generation now."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._generation != seen), within)
            return self._generation
