"""Triage decisions: response tier, lead discipline and first-contact deadline, by the rules file.

The rules live in a versioned YAML file a clinical lead reads and changes (rules/triage-rules.yaml,
described in RULES.md); this module applies them. Each rule that fires is named in the decision, in
the order they were applied, so a clinician can see why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from carerelay_clinical.news2 import score
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.vocabulary import CareSetting, LeadDiscipline, ResponseTier

from .rules.model import URGENCY, ReferralFacts, RulesError, TriageRules


@dataclass(frozen=True)
class TriageDecision:
    """What the rules decide for one referral, and which rules fired, in order."""

    tier: ResponseTier
    lead_discipline: LeadDiscipline
    care_setting: CareSetting
    first_contact_deadline: datetime
    rules_fired: tuple[str, ...]
    news2_score: int | None
    advise_emergency_services: bool
    rules_version: str
    """The `version` of the rules file that made the decision."""


def deadline_after(received_at: datetime, allowed: timedelta) -> datetime:
    """Elapsed time, not wall-clock time: across a clock change a 2-hour response is still 2 real hours."""
    return (received_at.astimezone(UTC) + allowed).astimezone(received_at.tzinfo)


def decide(referral: ReferralReceived, rules: TriageRules) -> TriageDecision:
    """Apply `rules` to a referral, in the file's five steps (RULES.md). Raises RulesError only for
    rules that were never checked (a checked file always has a catch-all tier and lead rule)."""
    fired: list[str] = []
    news2 = score(referral.observations) if referral.observations else None
    facts = ReferralFacts(
        needs=frozenset(referral.presenting_needs),
        route=referral.route,
        from_care_home=referral.from_care_home,
        news2_band=news2.band if news2 else None,
        clinical_frailty_scale=referral.clinical_frailty_scale,
        received_in_night_hours=rules.received_in_night_hours(referral.received_at),
    )

    tier_rule = next((rule for rule in rules.tier_rules if rule.applies(facts)), None)
    if tier_rule is None:
        raise RulesError(f"rules {rules.version}: no tier rule applies; the last tier rule must have no conditions")
    tier = tier_rule.then_tier
    fired.append(tier_rule.name)
    if news2 is not None:
        fired.append(f"news2-{news2.band.value}")  # the band, so the explanation shows what the NEWS2 rules saw

    for raise_rule in rules.raise_rules:
        more_urgent = URGENCY.index(raise_rule.then_raise_to) < URGENCY.index(tier)
        if more_urgent and raise_rule.applies(replace(facts, tier=tier)):
            tier = raise_rule.then_raise_to
            fired.append(raise_rule.name)
    facts = replace(facts, tier=tier)

    allowed = rules.allowed_time(tier)
    for deadline_rule in rules.deadline_rules:
        if deadline_rule.then_respond_within < allowed and deadline_rule.applies(facts):
            allowed = deadline_rule.then_respond_within
            fired.append(deadline_rule.name)

    lead_rule = next((rule for rule in rules.lead_rules if rule.applies(facts)), None)
    if lead_rule is None:
        raise RulesError(f"rules {rules.version}: no lead rule applies; the last lead rule must have no conditions")
    fired.append(lead_rule.name)

    emergency = [rule.name for rule in rules.emergency_rules if rule.applies(facts)]
    fired += emergency

    return TriageDecision(
        tier=tier,
        lead_discipline=lead_rule.then_lead,
        care_setting=CareSetting.HOME,
        first_contact_deadline=deadline_after(referral.received_at, allowed),
        rules_fired=tuple(fired),
        news2_score=news2.score if news2 else None,
        advise_emergency_services=bool(emergency),
        rules_version=rules.version,
    )
