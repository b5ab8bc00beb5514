"""Catalogue events the tests publish as if another service had (what scheduling needs to plan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from carerelay_contract.referral import ReferralAccepted
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier


def a_triage_decision(
    lead: LeadDiscipline = LeadDiscipline.NURSE,
    tier: ResponseTier = ResponseTier.RAPID,
    route: ReferralRoute = ReferralRoute.STEP_UP,
    allowed: timedelta = timedelta(hours=3),
) -> TriageCompleted:
    """A triage decision for a new episode and referral."""
    now = datetime.now(UTC)
    return TriageCompleted(
        episode_id=uuid4(),
        referral_id=uuid4(),
        decided_at=now,
        tier=tier,
        lead_discipline=lead,
        route=route,
        first_contact_deadline=now + allowed,
        rules_version="test",
        rules_fired=["test"],
    )


def its_acceptance(decision: TriageCompleted) -> ReferralAccepted:
    """The hub's acceptance of the decided referral (scheduling plans once it has both)."""
    return ReferralAccepted(
        episode_id=decision.episode_id, referral_id=decision.referral_id, accepted_at=datetime.now(UTC), accepted_by="Hub"
    )
