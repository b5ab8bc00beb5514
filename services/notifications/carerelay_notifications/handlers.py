"""Events in: every event of an episode goes on the live feed (screens), then to the triggers that
decide who is told what (`triggers.py`). One handler for every type on the followed topics."""

from __future__ import annotations

from carerelay_events.catalogue import CATALOGUE, Event
from carerelay_events.processing import Handler, HandlerContext
from carerelay_events.topics import Topic

from . import feed
from .settings import NotificationsSettings
from .triggers import Triggers

FEED_TOPICS = [Topic.REFERRAL, Topic.TRIAGE, Topic.RESPONSE_CLOCK, Topic.VISIT, Topic.EPISODE]


def handlers_for(settings: NotificationsSettings) -> dict[type[Event], Handler]:
    triggers = Triggers(settings)

    async def on_event(event: Event, context: HandlerContext) -> None:
        await feed.append(event, context)
        await triggers(event, context)

    return {cls: on_event for cls in CATALOGUE if cls.topic in FEED_TOPICS}
