"""Who is told what. The walking skeleton's one trigger: a field staff member is told, in the app,
of a visit assigned to them. The message is stored and its events published in one transaction;
the in-app channel delivers by storing (the app reads its inbox), so requested and delivered go together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from carerelay_events.catalogue import CATALOGUE, Event, NotificationDelivered, NotificationRequested, VisitAssigned
from carerelay_events.processing import Handler, HandlerContext
from carerelay_events.topics import Topic
from carerelay_events.vocabulary import NotificationAudience, NotificationChannel

from . import feed


async def on_visit_assigned(event: VisitAssigned, context: HandlerContext) -> None:
    now = datetime.now(UTC)
    notification_id = uuid4()
    body = f"New visit assigned to you, planned for {event.planned_start:%H:%M} (visit {event.visit_id})."
    inserted = await context.conn.fetchval(
        """
        INSERT INTO messages (notification_id, episode_id, audience, channel, recipient_ref, template, body,
                              trigger_event_id, status, requested_at, delivered_at)
        VALUES ($1, $2, $3, $4, $5, 'visit-assigned', $6, $7, 'delivered', $8, $8)
        ON CONFLICT (trigger_event_id, audience, channel, recipient_ref) DO NOTHING RETURNING true
        """,
        notification_id,
        event.episode_id,
        NotificationAudience.FIELD_STAFF.value,
        NotificationChannel.IN_APP.value,
        str(event.staff_id),
        body,
        context.metadata.id,
        now,
    )
    if not inserted:
        return
    await context.emit(
        NotificationRequested(
            episode_id=event.episode_id,
            notification_id=notification_id,
            audience=NotificationAudience.FIELD_STAFF,
            channel=NotificationChannel.IN_APP,
            recipient_ref=str(event.staff_id),
            template="visit-assigned",
            trigger_event_id=context.metadata.id,
            requested_at=now,
        )
    )
    await context.emit(
        NotificationDelivered(
            episode_id=event.episode_id, notification_id=notification_id, channel=NotificationChannel.IN_APP, delivered_at=now
        )
    )


FEED_TOPICS = [Topic.REFERRAL, Topic.TRIAGE, Topic.RESPONSE_CLOCK, Topic.VISIT, Topic.EPISODE]


async def on_event(event: Event, context: HandlerContext) -> None:
    """Every event of an episode goes on the live feed; some also tell people."""
    await feed.append(event, context)
    if isinstance(event, VisitAssigned):
        await on_visit_assigned(event, context)


HANDLERS: dict[type[Event], Handler] = {cls: on_event for cls in CATALOGUE if cls.topic in FEED_TOPICS}
