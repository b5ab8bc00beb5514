"""The referral topic: who the person is (and the case's trace, kept for every later event about them),
the hub's acceptance (with triage, the first response is planned) and a rejection or cancellation (the
episode's open visits are cancelled)."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralReceived, ReferralRejected, ReferralUpdated
from carerelay_contract.visit import VisitCancelled
from carerelay_events.case import Case
from carerelay_events.processing import HandlerContext

from ..planning.first_visits import plan_when_ready
from ..settings import SchedulingSettings
from ..store import episodes, visits
from .registry import handlers


@handlers.on(ReferralReceived)
async def on_received(event: ReferralReceived, context: HandlerContext[SchedulingSettings]) -> None:
    """Keep the person's home, access notes, reason and team, and the case: its trace is the one this
    handler continues (the referral's first request)."""
    await episodes.remember_person(context.conn, event, Case.here(context.metadata.correlation_id))


@handlers.on(ReferralUpdated)
async def on_updated(event: ReferralUpdated, context: HandlerContext[SchedulingSettings]) -> None:
    await episodes.update_person(context.conn, event)


@handlers.on(ReferralAccepted)
async def on_accepted(event: ReferralAccepted, context: HandlerContext[SchedulingSettings]) -> None:
    await episodes.record_acceptance(context.conn, event.episode_id, event.referral_id)
    await plan_when_ready(context, event.episode_id)


@handlers.on(ReferralRejected, ReferralCancelled)
async def on_closed(event: ReferralRejected | ReferralCancelled, context: HandlerContext[SchedulingSettings]) -> None:
    await episodes.record_closure(context.conn, event.episode_id, event.referral_id)
    reason = "referral rejected" if isinstance(event, ReferralRejected) else "referral cancelled"
    for visit_id in await visits.cancel_open(context.conn, event.episode_id):
        await context.emit(
            VisitCancelled(episode_id=event.episode_id, visit_id=visit_id, cancelled_at=datetime.now(UTC), reason=reason)
        )
