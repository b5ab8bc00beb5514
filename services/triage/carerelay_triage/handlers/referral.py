"""`carerelay.referral.v1`: a received referral is decided by the rules, stored with its running
clock, and announced (`triage.completed`); a rejected or cancelled one stops its clock."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_contract.referral import ReferralCancelled, ReferralReceived, ReferralRejected
from carerelay_events.case import Case
from carerelay_events.processing import HandlerContext

from ..domain.decision import decide
from ..domain.response_clock import ResponseClock
from ..domain.rules.model import TriageRules
from ..domain.triage import completed, triaged
from ..store import clocks, triage_decisions
from .registry import handlers


@handlers.on(ReferralReceived)
async def on_referral_received(event: ReferralReceived, context: HandlerContext[TriageRules]) -> None:
    rules = context.resources
    decision = decide(event, rules)
    triage = triaged(event, decision, at=datetime.now(UTC))
    if not await triage_decisions.insert(context.conn, triage):
        return  # the same referral published again under a new event id: already decided
    # The handler runs in the referral's trace: the clock keeps it, so its alarms join the case later.
    case = Case.here(context.metadata.correlation_id)
    await clocks.start(context.conn, ResponseClock(event.episode_id, event.referral_id, event.received_at), case)
    clock = await clocks.load(context.conn, event.episode_id)
    if clock is not None:
        await clocks.save_deadline(
            context.conn, clock.with_deadline(triage.tier, triage.first_contact_deadline, rules.at_risk_fraction)
        )
    await context.emit(completed(triage, decision))


@handlers.on(ReferralRejected, ReferralCancelled)
async def on_referral_closed(event: ReferralRejected | ReferralCancelled, context: HandlerContext[TriageRules]) -> None:
    await clocks.stop(context.conn, event.episode_id)
