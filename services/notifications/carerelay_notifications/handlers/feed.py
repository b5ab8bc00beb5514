"""Events in: every event of an episode goes on the live feed (screens), then to the triggers that
decide who is told what (`triggers.py`). One handler for every type on the followed topics."""

from __future__ import annotations

from carerelay_contract.catalogue import events_on
from carerelay_contract.model import Event
from carerelay_contract.topics import Topic
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext

from . import feed
from .triggers import Triggers

FEED_TOPICS = [Topic.REFERRAL, Topic.TRIAGE, Topic.RESPONSE_CLOCK, Topic.VISIT, Topic.EPISODE]


handlers: Handlers[Triggers] = Handlers()
"""One handler for every type on the followed topics; its resources are the triggers (with the settings)."""


@handlers.on(*events_on(*FEED_TOPICS))
async def on_event(event: Event, context: HandlerContext[Triggers]) -> None:
    await feed.append(event, context)
    await context.resources(event, context)
