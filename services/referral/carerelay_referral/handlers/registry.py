"""The hub's handlers (`handlers`), and the one rule every one of them follows: only the episodes
the hub took are followed; an event of any other episode is ignored."""

from __future__ import annotations

from carerelay_contract.model import Event
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext

from ..domain.referral import Referral
from ..settings import ReferralSettings
from ..store.referrals import of_episode

handlers: Handlers[ReferralSettings] = Handlers()


async def held_here(event: Event, context: HandlerContext[ReferralSettings]) -> Referral | None:
    """The referral that opened the event's episode, locked until the handler's transaction ends;
    None when this hub did not take it (e.g. a test's or another hub's episode): ignore the event."""
    return await of_episode(context.conn, event.episode_id)
