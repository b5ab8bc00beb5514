"""The delivery worker: a background task of the service that sends what is due.

Each message is claimed with `FOR UPDATE SKIP LOCKED` (several workers and several instances share
the table safely), sent, and its outcome recorded in the same transaction as the event that says
so (`notification.delivered`, or `notification.failed` with the attempt and whether it will be
retried). A transient failure (the SMTP server down, a 4xx reply, HTTP 408/429/5xx) is retried with
exponential backoff and jitter, capped (15 minutes by default), for as long as it lasts: a channel
outage of any length delays a message, never loses or fails it. Only a permanent refusal (an SMTP 5xx
for the recipient, an HTTP 4xx other than 408/425/429, no address or channel) fails it for good, with
its reason, and then the hub is told. Just before each send, patient and family
messages are checked against consent again (a withdrawal cancels them) and against quiet hours.

If the process dies after a send but before its transaction commits, the message is sent again on
the next attempt: at least once, with the same email Message-ID and webhook X-Request-ID.

The worker reads the time only through its `clock` (the system's, unless one is given), so a test can
run a long outage through it without waiting."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg
import structlog
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_events.bell import Bell
from carerelay_events.case import emit
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox
from carerelay_events.processing import INFRASTRUCTURE_ERRORS
from carerelay_events.tracing import tracer
from carerelay_service.clock import Clock, system_clock

from ..channels.base import Channel, DeliveryResult, Outcome
from ..domain.backoff import RetryPolicy
from ..domain.consent import may_be_messaged
from ..domain.digest import DIGESTED_TEMPLATES, digest, digested
from ..domain.messages import Message, Trigger, delivered, failed, withdrawn
from ..domain.reach import Reach
from ..domain.triggers.hub import message_failed
from ..settings import NotificationsSettings
from ..store import consents, messages, patients
from . import recipients
from .metrics import ATTEMPTS, WAITING
from .requester import Requester, case_of

log = structlog.get_logger(__name__)



CONSENTED_AUDIENCES = frozenset({NotificationAudience.PATIENT, NotificationAudience.FAMILY})


@contextmanager
def send_span(message: Message) -> Iterator[Span]:
    """A CLIENT span around one send attempt, in the trace of the event that triggered the message.
    Channel, audience, template and attempt only: never an address, a name or an id of a person."""
    with tracer().start_as_current_span(
        f"send {message.channel.value}",
        context=extract(dict(message.trace_headers)),
        kind=SpanKind.CLIENT,
        attributes={
            "carerelay.notification.channel": message.channel.value,
            "carerelay.notification.audience": message.audience.value,
            "carerelay.notification.template": message.template,
            "carerelay.notification.attempt": message.attempts + 1,
        },
    ) as span:
        yield span


class DeliveryWorker:
    """Sends what is due, `delivery_concurrency` loops per process, sharing the table with any others."""

    def __init__(
        self,
        settings: NotificationsSettings,
        reach: Reach,
        channels: Mapping[NotificationChannel, Channel],
        outbox: Outbox,
        rng: random.Random | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.reach = reach
        self.channels = dict(channels)
        self.outbox = outbox
        self.rng = rng or random.Random()
        self.clock = clock
        self.policy = RetryPolicy(settings.delivery_base_backoff_seconds, settings.delivery_max_backoff_seconds)
        self.bell = Bell(messages.WAKE_CHANNEL)

    async def run(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        """Until stopped: the sending loops, woken by NOTIFY (with a poll), and the waiting gauge."""
        await self.bell.start(pool)
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
            await self.bell.stop()

    async def _loop(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            seen = self.bell.generation
            try:
                worked = await self.deliver_next(pool)
                failures = 0
            except INFRASTRUCTURE_ERRORS as outage:
                failures += 1
                log.warning("delivery: database unavailable; retrying", error=type(outage).__name__)
                await asyncio.sleep(min(0.2 * 2**failures, 10.0))
                continue
            if not worked:
                await self.bell.wait(seen, within=self.settings.delivery_poll_seconds)

    async def _count_waiting(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(*INFRASTRUCTURE_ERRORS):
                async with pool.acquire() as conn:
                    counts = await messages.waiting_by_channel(conn)
                for channel in NotificationChannel:
                    WAITING.labels(channel.value).set(counts.get(channel.value, 0))
            await asyncio.sleep(5.0)

    async def deliver_next(self, pool: asyncpg.Pool) -> bool:
        """Claim one due message and attempt it, all in one transaction; False when nothing is due."""
        async with pool.acquire() as conn, conn.transaction():
            now = self.clock()
            message = await messages.claim_due(conn, now)
            if message is None:
                return False
            try:
                async with conn.transaction():  # a savepoint: a bug with one message must not stall the rest
                    await self.attempt(conn, message, now)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception as error:
                log.error("delivery attempt failed unexpectedly", channel=message.channel.value, error=type(error).__name__)
                await self._record(conn, message, now, DeliveryResult.transient(f"internal error: {type(error).__name__}"))
            return True

    async def attempt(self, conn: DbConnection, message: Message, now: datetime) -> None:
        """Check consent and quiet hours again, then send and record the outcome. A hub alert that goes in
        the digest takes every other one waiting with it: one email, each message's outcome recorded."""
        if message.audience in CONSENTED_AUDIENCES:
            details = await patients.contact_details(conn, message.episode_id, message.recipient_ref)
            agreed = await consents.load(conn, message.episode_id)
            if details is None or not may_be_messaged(message.audience, details.contact(message.recipient_ref), agreed):
                await self._cancel(conn, message, now)
                return
        held = self.reach.hold_until(now, message.audience, message.urgent)
        if held is not None:
            await messages.hold(conn, message.notification_id, held)
            ATTEMPTS.labels(message.channel.value, "held").inc()
            return
        together = [message]
        sent = message
        if digested(message.audience, message.channel, message.template):  # one email for every such alert waiting
            together += await messages.claim_digest(conn, message, sorted(DIGESTED_TEMPLATES))
            subject, body = digest([(one.requested_at, one.body) for one in together], self.reach.zone)
            sent = replace(message, subject=subject, body=body)
        with send_span(sent) as span:
            result = await self._send(conn, sent)
            span.set_attribute("carerelay.outcome", result.outcome.value)
            span.set_attribute("carerelay.notification.digested", len(together))
            if result.outcome is not Outcome.DELIVERED:
                span.set_status(Status(StatusCode.ERROR, result.reason))
            for one in together:
                await self._record(conn, one, now, result)

    async def _send(self, conn: DbConnection, message: Message) -> DeliveryResult:
        channel = self.channels.get(message.channel)
        if channel is None:
            return DeliveryResult.permanent(f"{message.channel.value} channel not configured")
        try:
            outgoing = await recipients.outgoing(conn, message, self.settings)
        except recipients.Unreachable as unreachable:
            return DeliveryResult.permanent(unreachable.reason)
        try:
            return await channel.send(outgoing)
        except Exception as error:  # a channel's own bug: try again later rather than lose the message
            log.error("channel failed unexpectedly", channel=message.channel.value, error=type(error).__name__)
            return DeliveryResult.transient(f"channel error: {type(error).__name__}")

    async def _record(self, conn: DbConnection, message: Message, now: datetime, result: DeliveryResult) -> None:
        attempt = message.attempts + 1
        notification_id, kind = message.notification_id, message.channel
        if result.outcome is Outcome.DELIVERED:
            await messages.mark_delivered(conn, notification_id, attempt, now)
            await emit(conn, self.outbox, case_of(message), delivered(message.episode_id, notification_id, kind, now))
            ATTEMPTS.labels(kind.value, "delivered").inc()
            return
        retry = result.outcome is Outcome.TRANSIENT  # however long the outage: only a permanent refusal fails it
        if retry:
            next_at = now + timedelta(seconds=self.policy.delay(attempt, self.rng))
            await messages.retry_later(conn, notification_id, attempt, now, next_at, result.reason)
        else:
            await messages.mark_failed(conn, notification_id, attempt, now, result.reason)
        await emit(conn, self.outbox, case_of(message), failed(message, now, result.reason[:200] or "failed", attempt, retry))
        ATTEMPTS.labels(kind.value, "retry" if retry else "failed").inc()
        log.warning("message not delivered", channel=kind.value, attempt=attempt, will_retry=retry, reason=result.reason)
        if not retry:
            await self._tell_the_hub(conn, message, now, attempt, result.reason)

    async def _cancel(self, conn: DbConnection, message: Message, now: datetime) -> None:
        await messages.mark_cancelled(conn, message.notification_id, now)
        await emit(conn, self.outbox, case_of(message), withdrawn(message, now))
        ATTEMPTS.labels(message.channel.value, "cancelled").inc()

    async def _tell_the_hub(self, conn: DbConnection, message: Message, now: datetime, attempts: int, reason: str) -> None:
        """A message that failed for good is the hub's to follow up."""
        tell = Requester(conn, self.outbox, case_of(message), Trigger(f"failed:{message.notification_id}", now), self.reach)
        await tell.request(message_failed(message, attempts, reason))
