"""The transactional outbox: an event is written in the same PostgreSQL transaction as the state
change that caused it, then relayed to Kafka. A crash between the two loses nothing: the relay
publishes what is still unpublished when it starts again (at least once; consumers deduplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from typing import Any

import asyncpg
import orjson
import structlog
from asyncpg.pool import PoolConnectionProxy
from prometheus_client import Counter, Gauge

from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.model import Event
from carerelay_contract.topics import topic_name

from .db import DbConnection
from .tracing import current_trace_headers, publish_span
from .transport.base import Producer

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "carerelay_event_outbox"
_RELAY_LOCK_ID = 7_411_001

PUBLISHED = Counter("carerelay_outbox_published_total", "Events relayed from the outbox to Kafka", ["source"])
UNPUBLISHED = Gauge("carerelay_outbox_unpublished", "Events written but not yet relayed (the outbox backlog)", ["source"])
BACKLOG_EVERY_SECONDS = 1.0
"""How often the relay counts its backlog (an index-only count of the unpublished rows)."""


class Outbox:
    """Writes events into a service's outbox table. `source` is the CloudEvents source, e.g. /carerelay/referral."""

    def __init__(self, source: str, topic_prefix: str = "") -> None:
        self.source = source
        self.topic_prefix = topic_prefix

    async def add(
        self,
        conn: DbConnection,
        event: Event,
        *,
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> str:
        """Record `event` for publishing. Must be called inside the transaction of the state change."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.add must run inside the transaction that makes the state change")
        metadata = new_metadata(event, self.source, correlation_id=correlation_id, event_id=event_id)
        headers = [[name, value.decode()] for name, value in encode_headers(metadata, current_trace_headers())]
        # One round trip: the row, and the NOTIFY that wakes the relay when the transaction commits.
        await conn.execute(
            """
            WITH added AS (
                INSERT INTO event_outbox (event_id, topic, record_key, headers, payload)
                VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING 1
            )
            SELECT pg_notify($6, '') FROM added
            """,
            metadata.id,
            topic_name(event.topic, self.topic_prefix),
            event.partition_key(),
            orjson.dumps(headers).decode(),
            encode_data(event),
            NOTIFY_CHANNEL,
        )
        return metadata.id


class OutboxRelay:
    """Publishes unpublished outbox rows in order, then marks them published.

    One relay per database is active at a time (an advisory lock), so an episode's events keep
    their order. Woken by NOTIFY, with a poll as a fallback.
    """

    def __init__(
        self, pool: asyncpg.Pool, producer: Producer, source: str, *, batch_size: int = 200, poll_seconds: float = 1.0
    ) -> None:
        self.pool = pool
        self.producer = producer
        self.source = source
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._backlog_counted_at = -BACKLOG_EVERY_SECONDS

    async def publish_pending(self) -> int:
        """Publish one batch; return how many rows were published (0 when none or another relay holds the lock)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self._count_backlog(conn)
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RELAY_LOCK_ID):
                return 0
            rows = await conn.fetch(
                """
                SELECT seq, event_id, topic, record_key, headers, payload FROM event_outbox
                WHERE published_at IS NULL ORDER BY seq LIMIT $1
                """,
                self.batch_size,
            )
            if not rows:
                UNPUBLISHED.labels(self.source).set(0)
                return 0
            deliveries = []
            for row in rows:
                deliveries.append(await self._send(row))
            await asyncio.gather(*deliveries)
            await conn.execute(
                "UPDATE event_outbox SET published_at = now() WHERE seq = ANY($1::bigint[])",
                [row["seq"] for row in rows],
            )
            PUBLISHED.labels(self.source).inc(len(rows))
            return len(rows)

    async def _count_backlog(self, conn: DbConnection) -> None:
        """Set the backlog gauge, at most once a second. Counted before publishing, so a relay that
        cannot reach Kafka (and retries) still shows the backlog growing; every relay of the database
        counts it, the one holding the lock or not."""
        if time.monotonic() - self._backlog_counted_at < BACKLOG_EVERY_SECONDS:
            return
        self._backlog_counted_at = time.monotonic()
        backlog = await conn.fetchval("SELECT count(*) FROM event_outbox WHERE published_at IS NULL")
        UNPUBLISHED.labels(self.source).set(backlog)

    async def _send(self, row: Any) -> Awaitable[Any]:
        stored: list[list[str]] = orjson.loads(row["headers"])
        trace_parent = {name: value for name, value in stored if name in ("traceparent", "tracestate")}
        others = [(name, value.encode()) for name, value in stored if name not in ("traceparent", "tracestate")]
        ce_type = next((value for name, value in stored if name == "ce_type"), "")
        with publish_span(row["topic"], ce_type, row["event_id"], row["record_key"], trace_parent):
            headers = others + [(name, value.encode()) for name, value in current_trace_headers().items()]
            future = await self.producer.send(
                row["topic"], value=bytes(row["payload"]), key=row["record_key"].encode(), headers=headers
            )
        return future

    def wake(self) -> None:
        self._wake.set()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until `stopping` is set. Errors are logged and retried: nothing is dropped."""
        listener: PoolConnectionProxy[asyncpg.Record] | None = None
        backoff = 0.5
        while not stopping.is_set():
            try:
                if listener is None:
                    listener = await self.pool.acquire()
                    await listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
                # Cleared before looking, so a NOTIFY that arrives while a batch is published is not lost.
                self._wake.clear()
                while await self.publish_pending():
                    pass
                backoff = 0.5
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wait(stopping), timeout=self.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # an outage of Kafka or PostgreSQL: wait and try again
                log.warning("outbox relay failed; will retry", error=type(exc).__name__, source=self.source)
                if listener is not None:
                    with contextlib.suppress(Exception):
                        await self.pool.release(listener)
                    listener = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.remove_listener(NOTIFY_CHANNEL, self._on_notify)
            with contextlib.suppress(Exception):
                await self.pool.release(listener)

    async def _wait(self, stopping: asyncio.Event) -> None:
        stop_task = asyncio.ensure_future(stopping.wait())
        wake_task = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stop_task, wake_task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_task.cancel()
            wake_task.cancel()
