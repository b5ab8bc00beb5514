"""Messages to people: requested, delivered, failed (topic carerelay.notification.v1). Produced by
the notifications service.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from .model import Event, ShortText
from .topics import Topic
from .vocabulary import (
    NotificationAudience,
    NotificationChannel,
)


class NotificationRequested(Event):
    event_type = "notification.requested"
    topic = Topic.NOTIFICATION

    notification_id: UUID
    audience: NotificationAudience
    channel: NotificationChannel
    recipient_ref: ShortText
    """An opaque reference (staff id, contact id, endpoint id), never a name or number."""
    template: ShortText
    trigger_event_id: ShortText
    urgent: bool = False
    requested_at: AwareDatetime


class NotificationDelivered(Event):
    event_type = "notification.delivered"
    topic = Topic.NOTIFICATION

    notification_id: UUID
    channel: NotificationChannel
    delivered_at: AwareDatetime


class NotificationFailed(Event):
    event_type = "notification.failed"
    topic = Topic.NOTIFICATION

    notification_id: UUID
    channel: NotificationChannel
    failed_at: AwareDatetime
    reason: ShortText
    attempt: Annotated[int, Field(ge=1)]
    will_retry: bool
