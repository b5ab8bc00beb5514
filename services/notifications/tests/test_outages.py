"""A channel outage of any length loses nothing: the delivery worker on a throwaway PostgreSQL database,
sending to a real SMTP server (aiosmtpd) and a real webhook receiver (aiohttp) that are down, or answer
"try again", for two hours of a clock the test moves (the worker reads the time only through it), then
come back. The message is tried with waits of at most 15 minutes, never failed, and sent exactly once
when the channel is back. Only a permanent refusal (an SMTP 5xx for the recipient, an HTTP 4xx other
than 408/425/429) fails a message for good, with its reason, and the hub is told once."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr

from carerelay_access import audit
from carerelay_contract.model import Event
from carerelay_contract.notification import NotificationDelivered, NotificationFailed
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_events.case import Case
from carerelay_events.outbox import Outbox
from carerelay_notifications.channels import configured_channels
from carerelay_notifications.delivery.requester import Requester
from carerelay_notifications.delivery.worker import DeliveryWorker
from carerelay_notifications.domain.messages import HUB_INBOX, INTEGRATOR, MessageRequest, Trigger
from carerelay_notifications.settings import NotificationsSettings
from carerelay_service.migrations import migrate, service_migrations
from carerelay_testing.ports import free_port

pytestmark = pytest.mark.integration

OUTAGE = timedelta(hours=2)
LONGEST_WAIT = timedelta(minutes=15)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HUB_EMAIL = "hub@carerelay.test"


@dataclass
class SteppedClock:
    """The time the worker reads: only where the test puts it."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at


# ---------------------------------------------------------------- the channels' far ends


@dataclass
class MailServer:
    """A real SMTP server (aiosmtpd) on a port of its own: down until started; `answer_mail`,
    `answer_rcpt`, `answer_data` make it answer MAIL FROM, RCPT TO, DATA with that reply instead of accepting."""

    port: int = field(default_factory=free_port)
    received: list[Envelope] = field(default_factory=list)
    answer_rcpt: str | None = None
    answer_mail: str | None = None
    answer_data: str | None = None
    controller: Controller | None = None

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        if self.answer_mail:
            return self.answer_mail
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        if self.answer_rcpt:
            return self.answer_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.answer_data:
            return self.answer_data
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class Endpoint:
    """A real webhook receiver (aiohttp): down until started; answers `status` to every POST."""

    port: int = field(default_factory=free_port)
    status: int = 202
    request_ids: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/alerts"

    async def receive(self, request: web.Request) -> web.Response:
        await request.read()
        self.request_ids.append(request.headers["X-Request-ID"])
        if 200 <= self.status < 300:
            self.delivered.append(request.headers["X-Request-ID"])
        return web.Response(status=self.status)

    async def start(self) -> None:
        if self.runner is None:
            app = web.Application()
            app.router.add_post("/alerts", self.receive)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


# ---------------------------------------------------------------- the worker and its database


@dataclass
class Delivery:
    pool: asyncpg.Pool
    worker: DeliveryWorker
    clock: SteppedClock
    settings: NotificationsSettings
    outbox: Outbox

    async def ask(self, channel: NotificationChannel) -> UUID:
        """A hub alert by `channel` (email to the hub, or the integrator's webhook), waiting to be sent."""
        if channel is NotificationChannel.EMAIL:
            wanted = MessageRequest(
                uuid4(), NotificationAudience.HUB, channel, HUB_INBOX, "visit-missed", "A visit was missed.", "Missed", True
            )
        else:
            wanted = MessageRequest(
                uuid4(), NotificationAudience.INTEGRATOR, channel, INTEGRATOR, "visit-missed", "A visit was missed.", urgent=True
            )
        async with self.pool.acquire() as conn, conn.transaction():
            trigger = Trigger(f"visit-missed-{uuid4()}", self.clock.at)
            notification_id = await Requester(conn, self.outbox, Case("case-outage"), trigger, self.settings.reach()).request(
                wanted
            )
        assert notification_id is not None
        return notification_id

    async def row(self, notification_id: UUID) -> asyncpg.Record:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM messages WHERE notification_id = $1", notification_id)
        assert row is not None
        return row

    async def hub_told(self, notification_id: UUID) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            return list(await conn.fetch("SELECT * FROM messages WHERE trigger_event_id = $1", f"failed:{notification_id}"))

    async def events(self, notification_id: UUID, kind: type[Event]) -> int:
        """How many events of `kind` about the message are in the outbox."""
        async with self.pool.acquire() as conn:
            count: int = await conn.fetchval(
                """
                SELECT count(*) FROM event_outbox
                WHERE headers @> jsonb_build_array(jsonb_build_array('ce_type', $1::text))
                  AND convert_from(payload, 'UTF8')::jsonb ->> 'notification_id' = $2
                """,
                kind.ce_type(),
                str(notification_id),
            )
        return count

    async def try_through(self, notification_id: UUID, until: datetime) -> list[timedelta]:
        """Run the worker whenever the message is due until `until`; the waits it was given. Fails if the
        message stops waiting (failed for good, or sent)."""
        waits: list[timedelta] = []
        while self.clock.at < until:
            assert await self.worker.deliver_next(self.pool), "the message was due"
            row = await self.row(notification_id)
            assert row["status"] == "pending", (
                f"{row['status']} after {row['attempts']} tries, {self.clock.at - START} into the outage: {row['last_error']}"
            )
            waits.append(row["next_attempt_at"] - self.clock.at)
            assert not await self.worker.deliver_next(self.pool), "nothing due before its next try"
            self.clock.at = row["next_attempt_at"]
        return waits


@pytest.fixture
async def servers() -> AsyncIterator[tuple[MailServer, Endpoint]]:
    mail, endpoint = MailServer(), Endpoint()
    try:
        yield mail, endpoint
    finally:
        mail.stop()
        await endpoint.stop()


@pytest.fixture
async def delivery(database_url: str, servers: tuple[MailServer, Endpoint]) -> AsyncIterator[Delivery]:
    mail, endpoint = servers
    settings = NotificationsSettings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_timeout_seconds=2,
        hub_email=HUB_EMAIL,
        webhook_secret=SecretStr("outage-test-secret"),
        webhook_timeout_seconds=2,
        integrator_webhook_url=endpoint.url,
    )  # the defaults otherwise: 30 s first wait, doubling to 15 minutes
    await migrate(database_url, service_migrations("notifications"), [audit.AUDIT_MIGRATION])
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    assert pool is not None
    clock, outbox = SteppedClock(START), Outbox("/carerelay/notifications")
    worker = DeliveryWorker(settings, settings.reach(), configured_channels(settings), outbox, random.Random(14), clock)
    try:
        yield Delivery(pool, worker, clock, settings, outbox)
    finally:
        await pool.close()


Outage = Callable[[MailServer, Endpoint], Awaitable[None]]


async def smtp_down(mail: MailServer, endpoint: Endpoint) -> None:
    mail.stop()


async def smtp_deferring(mail: MailServer, endpoint: Endpoint) -> None:
    mail.answer_rcpt = "451 4.3.0 try again later"
    mail.start()


async def smtp_out_of_service(mail: MailServer, endpoint: Endpoint) -> None:
    mail.answer_mail = "554 5.3.2 system not accepting network messages"  # the server, not the recipient
    mail.start()


def endpoint_answering(status: int) -> Outage:
    async def outage(mail: MailServer, endpoint: Endpoint) -> None:
        endpoint.status = status
        await endpoint.start()

    return outage


async def endpoint_down(mail: MailServer, endpoint: Endpoint) -> None:
    await endpoint.stop()


async def back(mail: MailServer, endpoint: Endpoint) -> None:
    mail.answer_rcpt = mail.answer_mail = mail.answer_data = None
    mail.start()
    endpoint.status = 202
    await endpoint.start()


def sent(channel: NotificationChannel, mail: MailServer, endpoint: Endpoint) -> list[Any]:
    return list(mail.received) if channel is NotificationChannel.EMAIL else list(endpoint.delivered)


EMAIL, WEBHOOK = NotificationChannel.EMAIL, NotificationChannel.WEBHOOK


@pytest.mark.parametrize(
    ("channel", "outage"),
    [
        pytest.param(EMAIL, smtp_down, id="smtp-down"),
        pytest.param(EMAIL, smtp_deferring, id="smtp-451"),
        pytest.param(EMAIL, smtp_out_of_service, id="smtp-554-to-mail-from"),
        pytest.param(WEBHOOK, endpoint_down, id="webhook-down"),
        pytest.param(WEBHOOK, endpoint_answering(503), id="webhook-503"),
        pytest.param(WEBHOOK, endpoint_answering(429), id="webhook-429"),
        pytest.param(WEBHOOK, endpoint_answering(408), id="webhook-408"),
    ],
)
async def test_a_two_hour_outage_loses_nothing_and_the_message_goes_once_when_the_channel_is_back(
    delivery: Delivery, servers: tuple[MailServer, Endpoint], channel: NotificationChannel, outage: Outage
) -> None:
    mail, endpoint = servers
    await outage(mail, endpoint)
    notification_id = await delivery.ask(channel)

    waits = await delivery.try_through(notification_id, until=START + OUTAGE)

    assert len(waits) >= 8, "tried all through the outage"
    assert max(waits) <= LONGEST_WAIT, "never more than 15 minutes between tries"
    assert max(waits) >= LONGEST_WAIT / 2, "backed off to the cap"
    assert sent(channel, mail, endpoint) == []
    assert await delivery.hub_told(notification_id) == [], "nothing failed, so nothing for the hub to follow up"

    await back(mail, endpoint)
    assert await delivery.worker.deliver_next(delivery.pool)
    row = await delivery.row(notification_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", len(waits) + 1, None)
    assert row["delivered_at"] <= START + OUTAGE + LONGEST_WAIT, "sent within one wait of the channel coming back"
    delivery.clock.at += timedelta(days=2)
    assert not await delivery.worker.deliver_next(delivery.pool), "nothing left to send"

    assert len(sent(channel, mail, endpoint)) == 1, "sent exactly once"
    assert await delivery.events(notification_id, NotificationDelivered) == 1
    assert await delivery.events(notification_id, NotificationFailed) == len(waits), "one notification.failed (will retry) a try"


@pytest.mark.parametrize(
    ("channel", "refusal", "reason"),
    [
        pytest.param(EMAIL, "rcpt:550 5.1.1 no such mailbox", "recipient refused (550)", id="smtp-550-to-rcpt"),
        pytest.param(EMAIL, "data:554 5.6.0 message content refused", "message refused (554)", id="smtp-554-to-data"),
        pytest.param(WEBHOOK, 404, "HTTP 404", id="webhook-404"),
        pytest.param(WEBHOOK, 400, "HTTP 400", id="webhook-400"),
        pytest.param(WEBHOOK, 410, "HTTP 410", id="webhook-410"),
    ],
)
async def test_only_a_permanent_refusal_fails_a_message_for_good_with_its_reason_and_the_hub_is_told_once(
    delivery: Delivery, servers: tuple[MailServer, Endpoint], channel: NotificationChannel, refusal: str | int, reason: str
) -> None:
    mail, endpoint = servers
    if isinstance(refusal, str):
        command, answer = refusal.split(":", 1)
        setattr(mail, f"answer_{command}", answer)
        mail.start()
    else:
        await endpoint_answering(refusal)(mail, endpoint)
    notification_id = await delivery.ask(channel)
    delivery.clock.at += timedelta(minutes=40)  # some while after an outage: the refusal is what counts

    assert await delivery.worker.deliver_next(delivery.pool)
    row = await delivery.row(notification_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 1, reason)
    (told,) = await delivery.hub_told(notification_id)
    assert (told["audience"], told["channel"], told["template"], told["status"]) == (
        "hub",
        "in-app",
        "message-failed",
        "delivered",
    )
    assert reason in told["body"]
    delivery.clock.at += timedelta(days=2)
    assert not await delivery.worker.deliver_next(delivery.pool), "not tried again"
    assert await delivery.events(notification_id, NotificationFailed) == 1
    assert await delivery.events(notification_id, NotificationDelivered) == 0
