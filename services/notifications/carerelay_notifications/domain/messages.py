"""A message to someone: what a trigger asks for (`MessageRequest`), the state it starts in, and a
message as stored (`Message`).

Messages name people only by opaque references (a staff id, a contact reference, a practice code,
`hub`, `team:<team>`, `integrator`, `referral:<referral id>`), never by name, number or address:
addresses are looked up just before a message is sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from carerelay_contract.notification import NotificationDelivered, NotificationFailed, NotificationRequested
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

from .digest import digested
from .reach import Reach

HUB_INBOX = "hub"
INTEGRATOR = "integrator"
NO_EPISODE = UUID(int=0)
"""For a message about no episode (a dead letter whose key is not an episode id)."""


def team_inbox(team: str) -> str:
    """The inbox of a team's coordinators."""
    return f"team:{team}"


@dataclass(frozen=True)
class Trigger:
    """What a message answers: the event's id (a trigger asks for each message once, however often
    it is delivered) and when it was handled."""

    event_id: str
    at: datetime


@dataclass(frozen=True)
class MessageRequest:
    """A message a trigger asks for."""

    episode_id: UUID
    audience: NotificationAudience
    channel: NotificationChannel
    recipient_ref: str
    """Opaque: a staff id, a contact reference, a practice code, `hub`, `team:<team>`, `integrator`, `referral:<id>`."""
    template: str
    body: str
    subject: str = ""
    urgent: bool = False
    payload: dict[str, Any] | None = None
    """For webhooks: the JSON document to post (e.g. the GP's FHIR Bundle)."""


class Status(StrEnum):
    """Where a message has got to: pending, then delivered, failed or cancelled."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    RECORDED = "recorded"
    """Asked for and kept, not sent: how referrers' notices were kept before they were sent (rows of then)."""


@dataclass(frozen=True)
class FirstState:
    """The state a requested message is stored in."""

    status: Status
    delivered_at: datetime | None = None
    next_attempt_at: datetime | None = None
    """When the delivery worker may first try it (pending messages only)."""


def first_state(wanted: MessageRequest, now: datetime, reach: Reach) -> FirstState:
    """In-app messages are delivered by being stored; every other message waits for the delivery worker,
    after quiet hours when they apply, and a hub alert that goes in the digest email for the digest's
    window."""
    if wanted.channel is NotificationChannel.IN_APP:
        return FirstState(Status.DELIVERED, delivered_at=now)
    due = reach.hold_until(now, wanted.audience, wanted.urgent) or now
    if digested(wanted.audience, wanted.channel, wanted.template):
        due = max(due, now + reach.digest_window)
    return FirstState(Status.PENDING, next_attempt_at=due)


@dataclass(frozen=True)
class Message:
    """A message as stored: what was asked for, and where its delivery has got to."""

    notification_id: UUID
    episode_id: UUID
    audience: NotificationAudience
    channel: NotificationChannel
    recipient_ref: str
    template: str
    subject: str
    body: str
    trigger_event_id: str
    urgent: bool
    status: Status
    requested_at: datetime
    attempts: int = 0
    payload: str | None = None
    """A webhook's JSON document, as stored."""
    last_error: str | None = None
    delivered_at: datetime | None = None
    correlation_id: str | None = None
    trace_headers: Mapping[str, str] = field(default_factory=dict)
    """The trace context of the trigger that asked for it: its sends and outcomes join that trace."""


# ---------------------------------------------------------------- the events that say so


def requested(notification_id: UUID, wanted: MessageRequest, trigger: Trigger) -> NotificationRequested:
    return NotificationRequested(
        episode_id=wanted.episode_id,
        notification_id=notification_id,
        audience=wanted.audience,
        channel=wanted.channel,
        recipient_ref=wanted.recipient_ref,
        template=wanted.template,
        trigger_event_id=trigger.event_id,
        urgent=wanted.urgent,
        requested_at=trigger.at,
    )


def delivered(episode_id: UUID, notification_id: UUID, channel: NotificationChannel, at: datetime) -> NotificationDelivered:
    return NotificationDelivered(episode_id=episode_id, notification_id=notification_id, channel=channel, delivered_at=at)


def failed(message: Message, at: datetime, reason: str, attempt: int, will_retry: bool) -> NotificationFailed:
    """An attempt that did not deliver `message`; `reason` is short and names no one."""
    return NotificationFailed(
        episode_id=message.episode_id,
        notification_id=message.notification_id,
        channel=message.channel,
        failed_at=at,
        reason=reason,
        attempt=attempt,
        will_retry=will_retry,
    )


def withdrawn(message: Message, at: datetime) -> NotificationFailed:
    """A waiting message cancelled because consent was withdrawn before it could be sent."""
    return failed(message, at, "consent withdrawn", message.attempts + 1, will_retry=False)
