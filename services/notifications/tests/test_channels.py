"""Each channel against a real local server: email against aiosmtpd, GOV.UK Notify's client against a
fake Notify API (its base_url pointed here), webhooks against a receiver that checks the signature."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any
from uuid import uuid4

import jwt
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr

from carerelay_contract.vocabulary import NotificationChannel
from carerelay_notifications.channels import configured_channels
from carerelay_notifications.channels.base import Outcome, Outgoing
from carerelay_notifications.channels.email import EmailChannel
from carerelay_notifications.channels.notify import NotifyChannel
from carerelay_notifications.channels.webhook import WebhookChannel
from carerelay_notifications.domain.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from carerelay_notifications.settings import NotificationsSettings
from carerelay_testing.ports import free_port

SERVICE_ID, SECRET_KEY = str(uuid4()), str(uuid4())
NOTIFY_KEY = f"carerelay_test-{SERVICE_ID}-{SECRET_KEY}"
WEBHOOK_SECRET = "webhook-test-secret"


def a_message(**changes: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "notification_id": uuid4(),
        "template": "running-late",
        "subject": "Running late",
        "body": "About 20 minutes late.",
    }
    return Outgoing(**{**fields, **changes})


# ---------------------------------------------------------------- email


@dataclass
class Mailbox:
    received: list[Envelope] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


async def test_email_is_sent_with_a_message_id_from_the_notification_id(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    channel = EmailChannel(NotificationsSettings(smtp_host="127.0.0.1", smtp_port=port, message_id_domain="carerelay.test"))
    message = a_message(to="daughter@example.org")
    assert (await channel.send(message)).outcome is Outcome.DELIVERED
    (envelope,) = box.received
    assert envelope.rcpt_tos == ["daughter@example.org"]
    assert isinstance(envelope.content, bytes)
    email = message_from_bytes(envelope.content)
    assert email["Message-ID"] == f"<{message.notification_id}@carerelay.test>"
    assert email["Subject"] == "Running late"


async def test_a_refused_address_is_permanent_and_a_server_that_is_down_is_transient(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    box.refuse.add("nobody@example.org")
    channel = EmailChannel(NotificationsSettings(smtp_host="127.0.0.1", smtp_port=port))
    refused = await channel.send(a_message(to="nobody@example.org"))
    assert refused.outcome is Outcome.PERMANENT
    assert "nobody" not in refused.reason, "reasons name no address"
    down = EmailChannel(NotificationsSettings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2))
    assert (await down.send(a_message(to="daughter@example.org"))).outcome is Outcome.TRANSIENT


# ---------------------------------------------------------------- GOV.UK Notify


@dataclass
class FakeNotify:
    base_url: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer: int = 201


@pytest.fixture
async def notify() -> AsyncIterator[FakeNotify]:
    port = free_port()
    fake = FakeNotify(f"http://127.0.0.1:{port}")

    async def receive(request: web.Request) -> web.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])  # signed with the key's secret, as Notify checks
        assert claims["iss"] == SERVICE_ID
        fake.calls.append((request.path, await request.json()))
        if fake.answer != 201:
            return web.json_response({"status_code": fake.answer, "errors": [{"error": "BadRequestError"}]}, status=fake.answer)
        return web.json_response({"id": str(uuid4()), "reference": (await request.json()).get("reference")}, status=201)

    app = web.Application()
    app.router.add_post("/v2/notifications/sms", receive)
    app.router.add_post("/v2/notifications/letter", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield fake
    await runner.cleanup()


def notify_settings(fake: FakeNotify) -> NotificationsSettings:
    return NotificationsSettings(
        notify_api_key=SecretStr(NOTIFY_KEY),
        notify_base_url=fake.base_url,
        notify_sms_template_id="sms-template",
        notify_letter_template_id="letter-template",
    )


async def test_sms_goes_through_the_notify_client_with_the_notification_id_as_reference(notify: FakeNotify) -> None:
    channel = NotifyChannel(notify_settings(notify), NotificationChannel.SMS)
    message = a_message(to="07700 900123")
    assert (await channel.send(message)).outcome is Outcome.DELIVERED
    ((path, body),) = notify.calls
    assert path == "/v2/notifications/sms"
    assert body == {
        "phone_number": "07700 900123",
        "template_id": "sms-template",
        "personalisation": {"body": "About 20 minutes late."},
        "reference": str(message.notification_id),
    }


async def test_a_letter_carries_the_address_lines(notify: FakeNotify) -> None:
    channel = NotifyChannel(notify_settings(notify), NotificationChannel.LETTER)
    lines = ("Alice Archer", "4 Mill Lane", "Northgate", "LE1 1AA")
    assert (await channel.send(a_message(postal_address=lines))).outcome is Outcome.DELIVERED
    ((path, body),) = notify.calls
    assert path == "/v2/notifications/letter"
    assert body["personalisation"]["address_line_1"] == "Alice Archer"
    assert body["personalisation"]["address_line_4"] == "LE1 1AA"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(400, Outcome.PERMANENT), (403, Outcome.PERMANENT), (429, Outcome.TRANSIENT), (500, Outcome.TRANSIENT)],
)
async def test_notify_errors_are_transient_or_permanent_by_status(notify: FakeNotify, status: int, outcome: Outcome) -> None:
    notify.answer = status
    result = await NotifyChannel(notify_settings(notify), NotificationChannel.SMS).send(a_message(to="07700 900123"))
    assert result.outcome is outcome
    assert result.reason == f"Notify {status}"


async def test_notify_down_is_transient() -> None:
    settings = notify_settings(FakeNotify(f"http://127.0.0.1:{free_port()}"))
    assert (
        await NotifyChannel(settings, NotificationChannel.SMS).send(a_message(to="07700 900123"))
    ).outcome is Outcome.TRANSIENT


def test_channels_without_settings_are_off() -> None:
    assert set(configured_channels(NotificationsSettings())) == {NotificationChannel.IN_APP}
    on = NotificationsSettings(
        smtp_host="127.0.0.1",
        notify_api_key=SecretStr(NOTIFY_KEY),
        notify_sms_template_id="t",
        webhook_secret=SecretStr(WEBHOOK_SECRET),
    )
    assert set(configured_channels(on)) == {
        NotificationChannel.IN_APP,
        NotificationChannel.EMAIL,
        NotificationChannel.SMS,
        NotificationChannel.WEBHOOK,
    }


# ---------------------------------------------------------------- webhooks


@dataclass
class Receiver:
    url: str
    bodies: list[bytes] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    found = Receiver(f"http://127.0.0.1:{port}/inbox")

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        signed = verify(
            WEBHOOK_SECRET.encode(), request.headers[TIMESTAMP_HEADER], body, request.headers[SIGNATURE_HEADER], now=time.time()
        )
        if not signed:
            return web.Response(status=401)
        found.bodies.append(body)
        found.request_ids.append(request.headers["X-Request-ID"])
        status = found.answers.pop(0) if found.answers else 202
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/inbox", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield found
    await runner.cleanup()


async def test_a_webhook_is_signed_and_accepted(receiver: Receiver) -> None:
    channel = WebhookChannel(NotificationsSettings(webhook_secret=SecretStr(WEBHOOK_SECRET)))
    message = a_message(to=receiver.url, payload=b'{"resourceType":"Bundle"}')
    assert (await channel.send(message)).outcome is Outcome.DELIVERED
    assert receiver.bodies == [b'{"resourceType":"Bundle"}']
    assert receiver.request_ids == [str(message.notification_id)]


async def test_a_wrongly_signed_webhook_is_refused_by_the_receiver(receiver: Receiver) -> None:
    channel = WebhookChannel(NotificationsSettings(webhook_secret=SecretStr("not-the-shared-secret")))
    result = await channel.send(a_message(to=receiver.url, payload=b"{}"))
    assert result.outcome is Outcome.PERMANENT
    assert result.reason == "HTTP 401"
    assert receiver.bodies == []


async def test_webhook_server_errors_are_retried_with_the_same_request_id(receiver: Receiver) -> None:
    receiver.answers = [503, 200]
    channel = WebhookChannel(NotificationsSettings(webhook_secret=SecretStr(WEBHOOK_SECRET)))
    message = a_message(to=receiver.url, payload=b"{}")
    assert (await channel.send(message)).outcome is Outcome.TRANSIENT
    assert (await channel.send(message)).outcome is Outcome.DELIVERED
    assert receiver.request_ids == [str(message.notification_id)] * 2
