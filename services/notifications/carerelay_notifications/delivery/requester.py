"""Requesting a message: the `messages` row and its `notification.requested` event, in the caller's
transaction (a handler's, the delivery worker's or the dead-letter watch's).

Idempotent on (trigger event, audience, channel, recipient): the same trigger never tells anyone
twice, however often it is delivered. In-app messages are delivered by being stored, so they are
`delivered` at once; every other channel is `pending` until the delivery worker sends it (after
quiet hours, for non-urgent patient and family messages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import orjson

from carerelay_contract.notification import NotificationDelivered, NotificationRequested
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox
from carerelay_events.tracing import current_trace_headers

from .metrics import REQUESTED
from .quiet_hours import hold_until
from .settings import NotificationsSettings

WAKE_CHANNEL = "carerelay_messages"
HUB_INBOX = "hub"
NO_EPISODE = UUID(int=0)
"""For a message about no episode (a dead letter whose key is not an episode id)."""


def team_inbox(team: str) -> str:
    return f"team:{team}"


@dataclass(frozen=True)
class MessageRequest:
    episode_id: UUID
    audience: NotificationAudience
    channel: NotificationChannel
    recipient_ref: str
    """Opaque: a staff id, a contact reference, a practice code, `hub`, `team:<team>`, `integrator`."""
    template: str
    body: str
    subject: str = ""
    urgent: bool = False
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class Requester:
    """Where requests are written: the transaction's connection, the outbox, and the trigger."""

    conn: DbConnection
    outbox: Outbox
    trigger_event_id: str
    correlation_id: str | None
    settings: NotificationsSettings
    now: datetime

    async def request(self, wanted: MessageRequest) -> UUID | None:
        """Store the message and publish `notification.requested`; None if this trigger already asked."""
        notification_id = uuid4()
        in_app = wanted.channel is NotificationChannel.IN_APP
        due = self.now
        if not in_app:
            held = hold_until(
                self.now,
                wanted.audience,
                wanted.urgent,
                self.settings.quiet_hours_start,
                self.settings.quiet_hours_end,
                ZoneInfo(self.settings.timezone),
            )
            due = held or self.now
        inserted = await self.conn.fetchval(
            """
            INSERT INTO messages (notification_id, episode_id, audience, channel, recipient_ref, template, subject, body,
                                  payload, trigger_event_id, urgent, status, requested_at, delivered_at, finished_at,
                                  next_attempt_at, correlation_id, trace_headers)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $14, $15, $16, $17::jsonb)
            ON CONFLICT (trigger_event_id, audience, channel, recipient_ref) DO NOTHING RETURNING true
            """,
            notification_id,
            wanted.episode_id,
            wanted.audience.value,
            wanted.channel.value,
            wanted.recipient_ref,
            wanted.template,
            wanted.subject,
            wanted.body,
            orjson.dumps(wanted.payload).decode() if wanted.payload is not None else None,
            self.trigger_event_id,
            wanted.urgent,
            "delivered" if in_app else "pending",
            self.now,
            self.now if in_app else None,
            None if in_app else due,
            self.correlation_id,
            orjson.dumps(current_trace_headers()).decode(),
        )
        if not inserted:
            return None
        REQUESTED.labels(wanted.audience.value, wanted.channel.value).inc()
        await self.outbox.add(
            self.conn,
            NotificationRequested(
                episode_id=wanted.episode_id,
                notification_id=notification_id,
                audience=wanted.audience,
                channel=wanted.channel,
                recipient_ref=wanted.recipient_ref,
                template=wanted.template,
                trigger_event_id=self.trigger_event_id,
                urgent=wanted.urgent,
                requested_at=self.now,
            ),
            correlation_id=self.correlation_id,
        )
        if in_app:
            await self.outbox.add(
                self.conn,
                NotificationDelivered(
                    episode_id=wanted.episode_id, notification_id=notification_id, channel=wanted.channel, delivered_at=self.now
                ),
                correlation_id=self.correlation_id,
            )
        else:
            await self.conn.execute("SELECT pg_notify($1, '')", WAKE_CHANNEL)
        return notification_id
