"""The delivery worker: a background task of the service that sends what is due.

Each message is claimed with `FOR UPDATE SKIP LOCKED` (several workers and several instances share
the table safely), sent, and its outcome recorded in the same transaction as the event that says
so (`notification.delivered`, or `notification.failed` with the attempt and whether it will be
retried). A transient failure (the SMTP server down, HTTP 5xx) is retried with exponential backoff
and jitter up to the maximum attempts, then the message has failed for good and the hub is told.
So a channel outage delays a message, never loses it. Just before each send, patient and family
messages are checked against consent again (a withdrawal cancels them) and against quiet hours.

If the process dies after a send but before its transaction commits, the message is sent again on
the next attempt: at least once, with the same email Message-ID and webhook X-Request-ID."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import orjson
import structlog
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from carerelay_contract.notification import NotificationDelivered, NotificationFailed
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox
from carerelay_events.processing import INFRASTRUCTURE_ERRORS
from carerelay_events.tracing import tracer

from . import consent, recipients
from .backoff import RetryPolicy
from .channels.base import Channel, DeliveryResult, Outcome
from .messages import HUB_INBOX, WAKE_CHANNEL, MessageRequest, Requester
from .metrics import ATTEMPTS, WAITING
from .quiet_hours import hold_until
from .settings import NotificationsSettings

log = structlog.get_logger(__name__)

CONSENTED_AUDIENCES = frozenset({NotificationAudience.PATIENT, NotificationAudience.FAMILY})


@contextmanager
def send_span(row: asyncpg.Record) -> Iterator[Span]:
    """A CLIENT span around one send attempt, in the trace of the event that triggered the message.
    Channel, audience, template and attempt only: never an address, a name or an id of a person."""
    parent = extract(orjson.loads(row["trace_headers"]) if row["trace_headers"] else {})
    with tracer().start_as_current_span(
        f"send {row['channel']}",
        context=parent,
        kind=SpanKind.CLIENT,
        attributes={
            "carerelay.notification.channel": row["channel"],
            "carerelay.notification.audience": row["audience"],
            "carerelay.notification.template": row["template"],
            "carerelay.notification.attempt": row["attempts"] + 1,
        },
    ) as span:
        yield span


class DeliveryWorker:
    def __init__(
        self,
        settings: NotificationsSettings,
        channels: Mapping[NotificationChannel, Channel],
        outbox: Outbox,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.channels = dict(channels)
        self.outbox = outbox
        self.rng = rng or random.Random()
        self.policy = RetryPolicy(
            settings.delivery_max_attempts, settings.delivery_base_backoff_seconds, settings.delivery_max_backoff_seconds
        )
        self.zone = ZoneInfo(settings.timezone)
        self._wake = asyncio.Event()

    async def run(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        """Until stopped: `delivery_concurrency` loops sending what is due, woken by NOTIFY (with a poll)."""
        listener = await pool.acquire()
        await listener.add_listener(WAKE_CHANNEL, self._woken)
        loops = [
            asyncio.create_task(self._loop(pool, stopping), name=f"delivery-{n}")
            for n in range(self.settings.delivery_concurrency)
        ]
        loops.append(asyncio.create_task(self._count_waiting(pool, stopping), name="delivery-gauge"))
        try:
            done, _ = await asyncio.wait(loops, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a loop that ended with an error ends the worker (and /health says so)
        finally:
            for task in loops:
                task.cancel()
            with contextlib.suppress(Exception):
                await listener.remove_listener(WAKE_CHANNEL, self._woken)
                await pool.release(listener)

    def _woken(self, *_: object) -> None:
        self._wake.set()

    async def _loop(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            try:
                worked = await self.deliver_next(pool)
                failures = 0
            except INFRASTRUCTURE_ERRORS as outage:
                failures += 1
                log.warning("delivery: database unavailable; retrying", error=type(outage).__name__)
                await asyncio.sleep(min(0.2 * 2**failures, 10.0))
                continue
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.settings.delivery_poll_seconds)
                self._wake.clear()

    async def _count_waiting(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(*INFRASTRUCTURE_ERRORS):
                async with pool.acquire() as conn:
                    rows = await conn.fetch(
                        "SELECT channel, count(*) AS n FROM messages WHERE status = 'pending' GROUP BY channel"
                    )
                counts = {row["channel"]: row["n"] for row in rows}
                for channel in NotificationChannel:
                    WAITING.labels(channel.value).set(counts.get(channel.value, 0))
            await asyncio.sleep(5.0)

    async def deliver_next(self, pool: asyncpg.Pool) -> bool:
        """Claim one due message and attempt it, all in one transaction; False when nothing is due."""
        async with pool.acquire() as conn, conn.transaction():
            now = datetime.now(UTC)
            row = await conn.fetchrow(
                """
                SELECT * FROM messages WHERE status = 'pending' AND next_attempt_at <= $1
                ORDER BY next_attempt_at, requested_at LIMIT 1 FOR UPDATE SKIP LOCKED
                """,
                now,
            )
            if row is None:
                return False
            try:
                async with conn.transaction():  # a savepoint: a bug with one message must not stall the rest
                    await self.attempt(conn, row, now)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception as error:
                log.error("delivery attempt failed unexpectedly", channel=row["channel"], error=type(error).__name__)
                await self._record(conn, row, now, DeliveryResult.transient(f"internal error: {type(error).__name__}"))
            return True

    async def attempt(self, conn: DbConnection, row: asyncpg.Record, now: datetime) -> None:
        audience, kind = NotificationAudience(row["audience"]), NotificationChannel(row["channel"])
        if audience in CONSENTED_AUDIENCES:
            contact = await recipients.contact_now(conn, row)
            consents = await consent.load(conn, row["episode_id"])
            if contact is None or not consent.may_be_messaged(audience, contact, consents):
                await self._cancel(conn, row, now)
                return
        held = hold_until(now, audience, row["urgent"], self.settings.quiet_hours_start, self.settings.quiet_hours_end, self.zone)
        if held is not None:
            await conn.execute(
                "UPDATE messages SET next_attempt_at = $2 WHERE notification_id = $1", row["notification_id"], held
            )
            ATTEMPTS.labels(kind.value, "held").inc()
            return
        with send_span(row) as span:
            result = await self._send(conn, row, kind)
            span.set_attribute("carerelay.outcome", result.outcome.value)
            if result.outcome is not Outcome.DELIVERED:
                span.set_status(Status(StatusCode.ERROR, result.reason))
            await self._record(conn, row, now, result)

    async def _send(self, conn: DbConnection, row: asyncpg.Record, kind: NotificationChannel) -> DeliveryResult:
        channel = self.channels.get(kind)
        if channel is None:
            return DeliveryResult.permanent(f"{kind.value} channel not configured")
        try:
            message = await recipients.outgoing(conn, row, self.settings)
        except recipients.Unreachable as unreachable:
            return DeliveryResult.permanent(unreachable.reason)
        try:
            return await channel.send(message)
        except Exception as error:  # a channel's own bug: try again later rather than lose the message
            log.error("channel failed unexpectedly", channel=kind.value, error=type(error).__name__)
            return DeliveryResult.transient(f"channel error: {type(error).__name__}")

    async def _record(self, conn: DbConnection, row: asyncpg.Record, now: datetime, result: DeliveryResult) -> None:
        attempt = row["attempts"] + 1
        notification_id, kind = row["notification_id"], NotificationChannel(row["channel"])
        if result.outcome is Outcome.DELIVERED:
            await conn.execute(
                """
                UPDATE messages SET status = 'delivered', attempts = $2, last_attempt_at = $3, delivered_at = $3,
                                    finished_at = $3, last_error = NULL
                WHERE notification_id = $1
                """,
                notification_id,
                attempt,
                now,
            )
            await self._emit(
                conn,
                row,
                NotificationDelivered(
                    episode_id=row["episode_id"], notification_id=notification_id, channel=kind, delivered_at=now
                ),
            )
            ATTEMPTS.labels(kind.value, "delivered").inc()
            return
        retry = result.outcome is Outcome.TRANSIENT and self.policy.will_retry(attempt)
        if retry:
            next_at = now + timedelta(seconds=self.policy.delay(attempt, self.rng))
            await conn.execute(
                """
                UPDATE messages SET attempts = $2, last_attempt_at = $3, next_attempt_at = $4, last_error = $5
                WHERE notification_id = $1
                """,
                notification_id,
                attempt,
                now,
                next_at,
                result.reason,
            )
        else:
            await conn.execute(
                """
                UPDATE messages SET status = 'failed', attempts = $2, last_attempt_at = $3, finished_at = $3, last_error = $4
                WHERE notification_id = $1
                """,
                notification_id,
                attempt,
                now,
                result.reason,
            )
        await self._emit(
            conn,
            row,
            NotificationFailed(
                episode_id=row["episode_id"],
                notification_id=notification_id,
                channel=kind,
                failed_at=now,
                reason=result.reason[:200] or "failed",
                attempt=attempt,
                will_retry=retry,
            ),
        )
        ATTEMPTS.labels(kind.value, "retry" if retry else "failed").inc()
        log.warning("message not delivered", channel=kind.value, attempt=attempt, will_retry=retry, reason=result.reason)
        if not retry:
            await self._tell_the_hub(conn, row, now, attempt, result.reason)

    async def _cancel(self, conn: DbConnection, row: asyncpg.Record, now: datetime) -> None:
        await conn.execute(
            """
            UPDATE messages SET status = 'cancelled', last_error = 'consent withdrawn', finished_at = $2
            WHERE notification_id = $1
            """,
            row["notification_id"],
            now,
        )
        await self._emit(
            conn,
            row,
            NotificationFailed(
                episode_id=row["episode_id"],
                notification_id=row["notification_id"],
                channel=NotificationChannel(row["channel"]),
                failed_at=now,
                reason="consent withdrawn",
                attempt=row["attempts"] + 1,
                will_retry=False,
            ),
        )
        ATTEMPTS.labels(row["channel"], "cancelled").inc()

    async def _emit(self, conn: DbConnection, row: asyncpg.Record, event: NotificationDelivered | NotificationFailed) -> None:
        await self.outbox.add(conn, event, correlation_id=row["correlation_id"])

    async def _tell_the_hub(self, conn: DbConnection, row: asyncpg.Record, now: datetime, attempts: int, reason: str) -> None:
        """A message that failed for good is the hub's to follow up, in the app (which cannot fail)."""
        tell = Requester(conn, self.outbox, f"failed:{row['notification_id']}", row["correlation_id"], self.settings, now)
        body = (
            f"A {row['channel']} message to the {row['audience']} ({row['template']}) could not be delivered "
            f"after {attempts} attempts: {reason}. Please follow it up."
        )
        await tell.request(
            MessageRequest(
                row["episode_id"],
                NotificationAudience.HUB,
                NotificationChannel.IN_APP,
                HUB_INBOX,
                "message-failed",
                body,
                urgent=True,
            )
        )
