"""A referral's triage as it stands: the decision the rules made, or a hub clinician's override of
it, with the rules that fired, the team whose caseload it is and when the referral was received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.vocabulary import CareSetting, LeadDiscipline, ReferralRoute, ResponseTier

from .decision import TriageDecision


@dataclass(frozen=True)
class ReferralTriage:
    referral_id: UUID
    episode_id: UUID
    decided_at: datetime
    """When the rules decided, or when the decision was last overridden."""
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    route: ReferralRoute
    care_setting: CareSetting
    first_contact_deadline: datetime
    news2_score: int | None
    rules_version: str
    rules_fired: tuple[str, ...]
    team: str | None
    """Whose caseload the person is on (the access matrix's team)."""
    received_at: datetime | None
    """When the hub received the referral (None only for decisions stored before it was recorded)."""
    overridden: bool = False


def triaged(referral: ReferralReceived, decision: TriageDecision, at: datetime) -> ReferralTriage:
    """The triage of `referral` as `decision` made it at `at`."""
    return ReferralTriage(
        referral_id=referral.referral_id,
        episode_id=referral.episode_id,
        decided_at=at,
        tier=decision.tier,
        lead_discipline=decision.lead_discipline,
        route=referral.route,
        care_setting=decision.care_setting,
        first_contact_deadline=decision.first_contact_deadline,
        news2_score=decision.news2_score,
        rules_version=decision.rules_version,
        rules_fired=decision.rules_fired,
        team=referral.team,
        received_at=referral.received_at,
    )


def completed(triage: ReferralTriage, decision: TriageDecision) -> TriageCompleted:
    """The `triage.completed` event that announces a new triage (and whether to advise 999)."""
    return TriageCompleted(
        episode_id=triage.episode_id,
        referral_id=triage.referral_id,
        decided_at=triage.decided_at,
        tier=triage.tier,
        lead_discipline=triage.lead_discipline,
        route=triage.route,
        care_setting=triage.care_setting,
        first_contact_deadline=triage.first_contact_deadline,
        rules_version=triage.rules_version,
        rules_fired=list(triage.rules_fired),
        news2_score=triage.news2_score,
        advise_emergency_services=decision.advise_emergency_services,
    )
