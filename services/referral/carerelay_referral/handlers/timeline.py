"""Every event the hub follows goes on its episode's timeline, one line in words, with no personal
data (domain.timeline), the same for every hub screen. The board moves on a few of them: see the
handlers of each topic."""

from __future__ import annotations

from carerelay_contract.catalogue import events_on
from carerelay_contract.model import Event
from carerelay_contract.topics import Topic
from carerelay_events.processing import HandlerContext

from ..domain.timeline import summarise
from ..settings import ReferralSettings
from ..store.timeline import add_to_timeline
from .registry import handlers, held_here

FOLLOWED_TOPICS = (Topic.REFERRAL, Topic.TRIAGE, Topic.RESPONSE_CLOCK, Topic.VISIT, Topic.EPISODE, Topic.HOSPITAL_ADT)


@handlers.on(*events_on(*FOLLOWED_TOPICS))
async def on_any_followed_event(event: Event, context: HandlerContext[ReferralSettings]) -> None:
    if await held_here(event, context) is None:
        return
    metadata = context.metadata
    await add_to_timeline(context.conn, metadata.id, event.episode_id, metadata.time, event.event_type, summarise(event))
