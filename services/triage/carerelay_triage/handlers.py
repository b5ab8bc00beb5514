"""Triage's event handlers: a received referral gets a decision, stored and published together."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_events.catalogue import Event, ReferralReceived, TriageCompleted
from carerelay_events.processing import Handler, HandlerContext

from .decision import RULES_VERSION, decide


async def on_referral_received(event: ReferralReceived, context: HandlerContext) -> None:
    decision = decide(event)
    decided_at = datetime.now(UTC)
    inserted = await context.conn.fetchval(
        """
        INSERT INTO triage_decisions (referral_id, episode_id, decided_at, tier, lead_discipline, route, care_setting,
                                      first_contact_deadline, news2_score, rules_version, rules_fired)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
        RULES_VERSION,
        list(decision.rules_fired),
    )
    if not inserted:
        return  # the same referral published again under a new event id: already decided
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
            rules_version=RULES_VERSION,
            rules_fired=list(decision.rules_fired),
            news2_score=decision.news2_score,
            advise_emergency_services=decision.advise_emergency_services,
        )
    )


HANDLERS: dict[type[Event], Handler] = {ReferralReceived: on_referral_received}
