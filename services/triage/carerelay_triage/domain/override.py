"""A hub clinician's override of a triage: a new tier and lead, with a reason. The deadline is
recomputed from the new tier's allowed time, counted from when the referral was received."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from carerelay_contract.triage import TriageOverridden
from carerelay_contract.vocabulary import LeadDiscipline, ResponseTier

from .decision import deadline_after
from .rules.model import TriageRules
from .triage import ReferralTriage

OVERRIDE_RULE = "overridden-by-hub-clinician"
"""Added to rules_fired, so the explanation shows the decision is no longer the rules' alone."""


@dataclass(frozen=True)
class TriageOverride:
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    reason: str
    by: str
    """Who overrode (their name, as the event carries it)."""
    at: datetime


def apply(triage: ReferralTriage, override: TriageOverride, rules: TriageRules) -> tuple[ReferralTriage, TriageOverridden]:
    """The triage as it stands after `override`, and the `triage.overridden` event that says so."""
    received_at = triage.received_at or triage.decided_at
    after = replace(
        triage,
        tier=override.tier,
        lead_discipline=override.lead_discipline,
        first_contact_deadline=deadline_after(received_at, rules.allowed_time(override.tier)),
        decided_at=override.at,
        rules_fired=(*triage.rules_fired, OVERRIDE_RULE),
        overridden=True,
    )
    event = TriageOverridden(
        episode_id=after.episode_id,
        referral_id=after.referral_id,
        decided_at=after.decided_at,
        tier=after.tier,
        lead_discipline=after.lead_discipline,
        first_contact_deadline=after.first_contact_deadline,
        overridden_by=override.by,
        reason=override.reason,
    )
    return after, event
