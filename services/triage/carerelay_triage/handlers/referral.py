"""Triage's event handlers: a received referral gets a decision and a running response clock, stored
and published together; visits and the hub's decisions move the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_contract.episode import LeadDisciplineTransferred
from carerelay_contract.referral import ReferralCancelled, ReferralReceived, ReferralRejected
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.visit import VisitAssigned, VisitCancelled, VisitRescheduled, VisitStarted, VisitUnassignable
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext

from . import clocks
from .decision import decide
from .rules import TriageRules

handlers: Handlers[TriageRules] = Handlers()
"""Triage's handlers; their resources are the clinical lead's rules, loaded and checked at start-up."""



@handlers.on(ReferralReceived)
async def on_referral_received(event: ReferralReceived, context: HandlerContext[TriageRules]) -> None:
    decision = decide(event, context.resources)
    decided_at = datetime.now(UTC)
    inserted = await context.conn.fetchval(
        """
        INSERT INTO triage_decisions (referral_id, episode_id, decided_at, tier, lead_discipline, route, care_setting,
                                      first_contact_deadline, news2_score, rules_version, rules_fired, team, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (referral_id) DO NOTHING RETURNING true
        """,
        event.referral_id,
        event.episode_id,
        decided_at,
        decision.tier.value,
        decision.lead_discipline.value,
        event.route.value,
        decision.care_setting.value,
        decision.first_contact_deadline,
        decision.news2_score,
        context.resources.version,
        list(decision.rules_fired),
        event.team,
        event.received_at,
    )
    if not inserted:
        return  # the same referral published again under a new event id: already decided
    await clocks.start(context.conn, event.episode_id, event.referral_id, event.received_at)
    await clocks.set_deadline(
        context.conn, event.episode_id, decision.tier, decision.first_contact_deadline, context.resources.at_risk_fraction
    )
    await context.emit(
        TriageCompleted(
            episode_id=event.episode_id,
            referral_id=event.referral_id,
            decided_at=decided_at,
            tier=decision.tier,
            lead_discipline=decision.lead_discipline,
            route=event.route,
            care_setting=decision.care_setting,
            first_contact_deadline=decision.first_contact_deadline,
            rules_version=context.resources.version,
            rules_fired=list(decision.rules_fired),
            news2_score=decision.news2_score,
            advise_emergency_services=decision.advise_emergency_services,
        )
    )

@handlers.on(VisitAssigned, VisitRescheduled)
async def on_visit_assigned(event: VisitAssigned | VisitRescheduled, context: HandlerContext[TriageRules]) -> None:
    await context.conn.execute(
        "INSERT INTO care_team (episode_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        event.episode_id,
        event.staff_id,
    )
    await clocks.visit_assigned(context.conn, event.episode_id, event.visit_id, event.planned_start)

@handlers.on(VisitCancelled, VisitUnassignable)
async def on_visit_withdrawn(event: VisitCancelled | VisitUnassignable, context: HandlerContext[TriageRules]) -> None:
    await clocks.visit_withdrawn(context.conn, event.episode_id, event.visit_id)

@handlers.on(VisitStarted)
async def on_visit_started(event: VisitStarted, context: HandlerContext[TriageRules]) -> None:
    await clocks.first_contact(context.conn, context.outbox, event.episode_id, event.at)

@handlers.on(ReferralRejected, ReferralCancelled)
async def on_referral_closed(event: ReferralRejected | ReferralCancelled, context: HandlerContext[TriageRules]) -> None:
    await clocks.stop(context.conn, event.episode_id)

@handlers.on(LeadDisciplineTransferred)
async def on_lead_transferred(event: LeadDisciplineTransferred, context: HandlerContext[TriageRules]) -> None:
    """A lead handed over from the clinician app (or triage's own API): the decision shows the new lead."""
    await context.conn.execute(
        "UPDATE triage_decisions SET lead_discipline = $2 WHERE episode_id = $1", event.episode_id, event.to_discipline.value
    )
