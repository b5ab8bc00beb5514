"""The live feed's entry for an event: ids only (no personal data), and what decides who may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from carerelay_contract.model import Event


@dataclass(frozen=True)
class FeedEntry:
    """One event on the feed screens subscribe to."""

    event_id: str
    episode_id: UUID
    type: str
    at: datetime
    referral_id: UUID | None = None
    """From the event when it names one, else the episode's referral (looked up by the handler)."""
    visit_id: UUID | None = None
    staff_id: UUID | None = None


def feed_entry(event: Event, event_id: str, at: datetime) -> FeedEntry:
    """The entry for `event`, with the ids it carries (every event names its episode; some a referral,
    a visit or a member of staff)."""
    return FeedEntry(
        event_id=event_id,
        episode_id=event.episode_id,
        type=event.event_type,
        at=at,
        referral_id=getattr(event, "referral_id", None),
        visit_id=getattr(event, "visit_id", None),
        staff_id=getattr(event, "staff_id", None),
    )
