"""Events the referral hub follows: the board shows where each referral has got to and each
episode's timeline records everything that happened, the same for every hub screen."""

from __future__ import annotations

from carerelay_contract.catalogue import events_on
from carerelay_contract.episode import EpisodeClosed, LeadDisciplineTransferred
from carerelay_contract.model import Event
from carerelay_contract.topics import Topic
from carerelay_contract.triage import (
    ResponseClockAtRisk,
    ResponseClockBreached,
    ResponseClockMet,
    TriageCompleted,
    TriageOverridden,
)
from carerelay_contract.visit import VisitAssigned, VisitStarted
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext

from . import store
from .settings import ReferralSettings
from .timeline import summarise

FOLLOWED_TOPICS = [Topic.REFERRAL, Topic.TRIAGE, Topic.RESPONSE_CLOCK, Topic.VISIT, Topic.EPISODE]


async def on_event(event: Event, context: HandlerContext[ReferralSettings]) -> None:
    """Every event of an episode the hub holds goes on its timeline; some also move the board."""
    if event.episode_id is None or await store.by_episode(context.conn, event.episode_id) is None:
        return  # not a referral this hub took (e.g. a test or another hub's episode)
    conn, episode = context.conn, event.episode_id
    match event:
        case TriageCompleted() | TriageOverridden():
            await store.record_triage(conn, episode, event.tier.value, event.lead_discipline.value, event.first_contact_deadline)
        case ResponseClockAtRisk():
            await store.record_clock(conn, episode, "at-risk")
        case ResponseClockBreached():
            await store.record_clock(conn, episode, "breached")
        case ResponseClockMet():
            await store.record_clock(conn, episode, "met")
        case VisitAssigned():
            await store.record_first_visit_planned(conn, episode, event.planned_start)
            await store.add_to_care_team(conn, episode, event.staff_id, event.planned_start)
        case VisitStarted():
            await store.record_first_contact(conn, episode, event.at)
        case LeadDisciplineTransferred():
            await store.record_lead(conn, episode, event.to_discipline.value)
        case EpisodeClosed():
            await store.record_status(conn, episode, "closed")
    await store.add_to_timeline(conn, context.metadata.id, episode, context.metadata.time, event.event_type, summarise(event))


handlers: Handlers[ReferralSettings] = Handlers()
handlers.on(*events_on(*FOLLOWED_TOPICS))(on_event)
