"""Every event of an episode on the followed topics goes on the live feed screens subscribe to."""

from __future__ import annotations

from dataclasses import replace

from carerelay_contract.catalogue import events_on
from carerelay_contract.model import Event
from carerelay_contract.topics import Topic
from carerelay_events.processing import HandlerContext

from ..domain.feed import feed_entry
from ..domain.reach import Reach
from ..store import access, feed
from .registry import handlers

FEED_TOPICS = [Topic.REFERRAL, Topic.TRIAGE, Topic.RESPONSE_CLOCK, Topic.VISIT, Topic.EPISODE]


@handlers.on(*events_on(*FEED_TOPICS))
async def on_any_event(event: Event, context: HandlerContext[Reach]) -> None:
    """Appended with its ids (the episode's referral when the event names none) and the streams woken."""
    entry = feed_entry(event, context.metadata.id, context.metadata.time)
    if entry.referral_id is None:
        entry = replace(entry, referral_id=await access.referral_of(context.conn, event.episode_id))
    await feed.append(context.conn, entry)
