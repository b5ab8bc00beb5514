"""The transactional outbox: an event is written in the same PostgreSQL transaction as the state
change that caused it, then relayed to Kafka. A crash between the two loses nothing: the relay
publishes what is still unpublished when it starts again (at least once; consumers deduplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Sequence
from typing import Any

import asyncpg
import orjson
import structlog
from aiokafka.errors import (
    CorruptRecordException,
    InvalidTimestampError,
    InvalidTopicError,
    MessageSizeTooLargeError,
    PolicyViolationError,
    RecordListTooLargeError,
    RecordTooLargeError,
    UnsupportedForMessageFormatError,
)
from asyncpg.pool import PoolConnectionProxy
from prometheus_client import Counter, Gauge

from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.model import Event
from carerelay_contract.topics import topic_name

from .db import DbConnection
from .outbox_order import PublicationOrder, SeenRow
from .progress import Progress
from .tracing import current_trace_headers, publish_span
from .transport.base import Producer

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "carerelay_event_outbox"
_RELAY_LOCK_ID = 7_411_001

PUBLISHED = Counter("carerelay_outbox_published_total", "Events relayed from the outbox to Kafka", ["source"])
UNPUBLISHED = Gauge(
    "carerelay_outbox_unpublished", "Events written but neither relayed nor set aside (the outbox backlog)", ["source"]
)
OLDEST_AGE = Gauge(
    "carerelay_outbox_oldest_unpublished_age_seconds",
    "Seconds since the oldest unpublished event (lowest seq) was written; 0 when there is none",
    ["source"],
)
SET_ASIDE = Counter(
    "carerelay_outbox_set_aside_total",
    "Events Kafka refused for good, set aside in the outbox with the reason",
    ["source", "error"],
)
SET_ASIDE_NOW = Gauge("carerelay_outbox_set_aside_rows", "Events set aside in the outbox and not re-queued", ["source"])
BACKLOG_EVERY_SECONDS = 1.0
"""How often the relay counts its backlog (an index scan of the pending rows)."""

NEVER_ACCEPTED: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    CorruptRecordException,
    InvalidTimestampError,
    UnsupportedForMessageFormatError,
    PolicyViolationError,
)
"""What Kafka says of one record that it will refuse however often it is sent: the row is set aside.
Anything else (the cluster unreachable, a leader moving, a topic missing or not authorised, which an
operator can fix) is retried, and shows as a growing, ageing backlog and, after a while, an unhealthy
/health."""

_LEGAL_TOPIC = re.compile(r"[a-zA-Z0-9._-]{1,249}")


class InvalidTopicName(InvalidTopicError):  # type: ignore[misc]
    """A topic name Kafka can never accept, found before sending (aiokafka would wait for metadata)."""


class RelayDeferred(Exception):
    """Some rows of a batch could not be published for now (the others went): retried after a backoff."""

    def __init__(self, causes: Sequence[BaseException]) -> None:
        super().__init__(", ".join(sorted({type(cause).__name__ for cause in causes})))
        self.causes = list(causes)


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
        # One round trip: the row, and the NOTIFY that wakes the relay when the transaction commits. The
        # transaction gets its id (`writer`, materialized first) before `seq` is drawn (the insert's default),
        # so while it runs it is among the running transactions the relay waits on (outbox_order).
        await conn.execute(
            """
            WITH writer AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
            added AS (
                INSERT INTO event_outbox (event_id, topic, record_key, headers, payload)
                SELECT $1, $2, $3, $4::jsonb, $5 FROM writer RETURNING 1
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
    """Publishes pending outbox rows in `seq` order, then marks them published.

    One relay per database is active at a time (an advisory lock). A row is published only once no
    lower `seq` can still commit (`outbox_order`), so an episode's events keep their order even when a
    long transaction commits late. A row Kafka will never accept is set aside (`failed_at`, `failure`)
    and counted, and later rows flow; other errors are retried. Woken by NOTIFY, with a poll as a fallback.
    """

    def __init__(
        self, pool: asyncpg.Pool, producer: Producer, source: str, *, batch_size: int = 200, poll_seconds: float = 1.0
    ) -> None:
        self.pool = pool
        self.producer = producer
        self.source = source
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.progress = Progress(source, "outbox relay")
        self._wake = asyncio.Event()
        self._backlog_counted_at = -BACKLOG_EVERY_SECONDS
        self._oldest_pending: int | None = None
        self._order: PublicationOrder | None = None

    async def publish_pending(self) -> int:
        """Publish one batch; return how many rows were published or set aside (0 when none may go yet,
        or another relay holds the lock). Raises RelayDeferred, after marking what went, when some rows
        could not be published for now."""
        deferred: list[BaseException] = []
        async with self.pool.acquire() as conn, conn.transaction():
            await self._count_backlog(conn)
            head = await conn.fetchrow(
                "SELECT pg_try_advisory_xact_lock($1) AS locked,"
                " coalesce(pg_sequence_last_value('event_outbox_seq_seq'), 0) AS last_seq",
                _RELAY_LOCK_ID,
            )
            assert head is not None
            if not head["locked"]:
                return 0
            order = await self._publication_order(conn)
            # This database's running transactions, read after the sequence's last value and before the
            # rows: whoever holds a number at or below that value and has not committed is among them.
            running: list[str] = await conn.fetchval(
                """
                SELECT coalesce(array_agg(xid), '{}') FROM (
                    SELECT backend_xid::text AS xid FROM pg_stat_activity
                    WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()
                    UNION ALL
                    SELECT transaction::text FROM pg_prepared_xacts WHERE database = current_database()
                ) AS running
                """
            )
            rows = await conn.fetch(
                """
                SELECT seq, published_at IS NULL AND failed_at IS NULL AS pending, event_id, topic, record_key, headers,
                       CASE WHEN published_at IS NULL AND failed_at IS NULL THEN payload END AS payload
                FROM event_outbox
                WHERE seq <= $2 AND (seq > $1 OR (published_at IS NULL AND failed_at IS NULL))
                ORDER BY seq LIMIT $3
                """,
                order.watermark,
                head["last_seq"],
                self.batch_size,
            )
            release = order.release([SeenRow(row["seq"], row["pending"]) for row in rows], running)
            if release.held_at is not None:
                log.debug("outbox relay waiting for a transaction to end", source=self.source, gap_at=release.held_at)
            by_seq = {row["seq"]: row for row in rows}
            published, refused, deferred = await self._deliver([by_seq[seq] for seq in release.seqs])
            if published:
                await conn.execute("UPDATE event_outbox SET published_at = now() WHERE seq = ANY($1::bigint[])", published)
                PUBLISHED.labels(self.source).inc(len(published))
            if refused:
                await self._set_aside(conn, refused)
            if published or refused:
                self.progress.moved()
            elif not deferred:
                await self._count_backlog(conn, now=True)
        if deferred:
            raise RelayDeferred(deferred)
        return len(published) + len(refused)

    async def _publication_order(self, conn: DbConnection) -> PublicationOrder:
        """The relay's order keeper; on the first batch, from the highest row already settled (every
        lower number is settled too: this relay never publishes above a gap)."""
        if self._order is None:
            settled: int = await conn.fetchval(
                "SELECT coalesce(max(seq), 0) FROM event_outbox WHERE published_at IS NOT NULL OR failed_at IS NOT NULL"
            )
            self._order = PublicationOrder(settled)
        return self._order

    async def _deliver(self, rows: list[Any]) -> tuple[list[int], list[tuple[int, str]], list[BaseException]]:
        """Send `rows` and wait for the broker: the seqs it has, the (seq, reason) of those it refused for
        good, and the errors worth retrying. Once a row fails for now, the later rows of its key and of its
        topic wait for the next try (so one key's order holds, and a missing topic costs one metadata wait)."""
        sent: list[tuple[Any, Awaitable[Any]]] = []
        refused: list[tuple[int, str]] = []
        deferred: list[BaseException] = []
        held_keys: set[str] = set()
        held_topics: set[str] = set()  # a topic whose metadata did not come (missing, not authorised): 30 s each
        for row in rows:
            if row["record_key"] in held_keys or row["topic"] in held_topics:
                held_keys.add(row["record_key"])
                continue
            try:
                if _LEGAL_TOPIC.fullmatch(row["topic"]) is None or row["topic"] in (".", ".."):
                    raise InvalidTopicName(f"a {len(row['topic'])}-character topic name Kafka does not allow")
                sent.append((row, await self._send(row)))
            except NEVER_ACCEPTED as refusal:
                refused.append((row["seq"], self._refusal(row, refusal)))
            except Exception as error:
                deferred.append(error)
                held_keys.add(row["record_key"])
                held_topics.add(row["topic"])
        published: list[int] = []
        results = await asyncio.gather(*(future for _, future in sent), return_exceptions=True)
        for (row, _), result in zip(sent, results, strict=True):
            if isinstance(result, NEVER_ACCEPTED):
                refused.append((row["seq"], self._refusal(row, result)))
            elif isinstance(result, BaseException):
                deferred.append(result)
            else:
                published.append(row["seq"])
        return published, refused, deferred

    def _refusal(self, row: Any, refusal: BaseException) -> str:
        error = type(refusal).__name__
        SET_ASIDE.labels(self.source, error).inc()
        log.error(
            "outbox row refused by Kafka for good; set aside",
            source=self.source,
            seq=row["seq"],
            event_id=row["event_id"],
            topic=row["topic"],
            error=error,
        )
        return f"{error}: {refusal}"[:500]

    async def _set_aside(self, conn: DbConnection, refused: list[tuple[int, str]]) -> None:
        await conn.execute(
            """
            UPDATE event_outbox SET failed_at = now(), failure = refused.reason
            FROM unnest($1::bigint[], $2::text[]) AS refused (seq, reason) WHERE event_outbox.seq = refused.seq
            """,
            [seq for seq, _ in refused],
            [reason for _, reason in refused],
        )

    async def _count_backlog(self, conn: DbConnection, *, now: bool = False) -> None:
        """Set the backlog gauges, at most once a second (or `now`), and note progress: the lowest pending
        row changed, or there is none. Counted before publishing, so a relay that cannot reach Kafka (and
        retries) still shows the backlog growing and ageing; every relay of the database counts it, the
        one holding the lock or not, so each instance's /health judges the same backlog."""
        if not now and time.monotonic() - self._backlog_counted_at < BACKLOG_EVERY_SECONDS:
            return
        self._backlog_counted_at = time.monotonic()
        backlog = await conn.fetchrow(
            """
            SELECT count(*) AS pending, min(seq) AS oldest,
                   (SELECT extract(epoch FROM clock_timestamp() - created_at) FROM event_outbox
                    WHERE published_at IS NULL AND failed_at IS NULL ORDER BY seq LIMIT 1) AS oldest_age,
                   (SELECT count(*) FROM event_outbox WHERE failed_at IS NOT NULL) AS set_aside
            FROM event_outbox WHERE published_at IS NULL AND failed_at IS NULL
            """
        )
        assert backlog is not None
        UNPUBLISHED.labels(self.source).set(backlog["pending"])
        OLDEST_AGE.labels(self.source).set(float(backlog["oldest_age"] or 0.0))
        SET_ASIDE_NOW.labels(self.source).set(backlog["set_aside"])
        if backlog["oldest"] != self._oldest_pending:
            self._oldest_pending = backlog["oldest"]
            self.progress.moved()
        self.progress.waits(backlog["pending"])

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
            except RelayDeferred as deferred:  # some rows went, the others wait for Kafka: back off and retry
                log.warning("outbox relay could not publish some rows; will retry", error=str(deferred), source=self.source)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
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
