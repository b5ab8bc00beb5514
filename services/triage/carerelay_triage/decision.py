"""The first triage rules: response tier, lead discipline and first-contact deadline.

Each rule that fires is named in the decision, so a clinician can see why. (Issue 5 moves these into
a versioned rules file a clinical lead can edit; the names stay.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from carerelay_events.catalogue import ReferralReceived
from carerelay_events.vocabulary import UCR_NEEDS, CareSetting, LeadDiscipline, PresentingNeed, ReferralRoute, ResponseTier

from .news2 import News2Band, score

RULES_VERSION = "2026.11-skeleton"

ALLOWED_TIME: dict[ResponseTier, timedelta] = {
    ResponseTier.UCR_2H: timedelta(hours=2),
    ResponseTier.RAPID: timedelta(hours=3),
    ResponseTier.FAST: timedelta(days=1),
    ResponseTier.NORMAL: timedelta(days=3),
}

CARE_HOME_RESPONSE = timedelta(minutes=60)

THERAPY_NEEDS = frozenset(
    {PresentingNeed.FALL, PresentingNeed.REDUCED_FUNCTION, PresentingNeed.URGENT_EQUIPMENT, PresentingNeed.REABLEMENT}
)
SOCIAL_CARE_NEEDS = frozenset({PresentingNeed.CARER_BREAKDOWN})
NURSING_NEEDS = frozenset(
    {
        PresentingNeed.PALLIATIVE_CRISIS,
        PresentingNeed.URGENT_CATHETER_CARE,
        PresentingNeed.URGENT_DIABETES_SUPPORT,
        PresentingNeed.CONFUSION_DELIRIUM,
        PresentingNeed.FRAILTY_DECOMPENSATION,
        PresentingNeed.MEDICATION,
        PresentingNeed.WOUND_CARE,
    }
)


@dataclass(frozen=True)
class TriageDecision:
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    care_setting: CareSetting
    first_contact_deadline: datetime
    rules_fired: tuple[str, ...]
    news2_score: int | None
    advise_emergency_services: bool


def _after(received_at: datetime, allowed: timedelta) -> datetime:
    """Elapsed time, not wall-clock time: across a clock change a 2-hour response is still 2 real hours."""
    return (received_at.astimezone(UTC) + allowed).astimezone(received_at.tzinfo)


def decide(referral: ReferralReceived) -> TriageDecision:
    fired: list[str] = []
    needs = set(referral.presenting_needs)
    news2 = score(referral.observations) if referral.observations else None

    if needs & UCR_NEEDS:
        tier = ResponseTier.UCR_2H
        fired.append("ucr-clinical-need")
    elif referral.route == ReferralRoute.STEP_DOWN:
        tier = ResponseTier.FAST
        fired.append("step-down-next-day")
    else:
        tier = ResponseTier.NORMAL
        fired.append("default-normal")

    if news2 is not None:
        fired.append(f"news2-{news2.band.value}")
        # NEWS2 7+ (high) is at least as urgent as 5-6: if the person stays home, no 1- or 3-day clock.
        if news2.band in (News2Band.HIGH, News2Band.MEDIUM, News2Band.LOW_MEDIUM) and tier != ResponseTier.UCR_2H:
            tier = ResponseTier.RAPID
            fired.append("news2-urgent-review-rapid")

    deadline = _after(referral.received_at, ALLOWED_TIME[tier])
    if referral.from_care_home and tier == ResponseTier.UCR_2H:
        deadline = _after(referral.received_at, CARE_HOME_RESPONSE)
        fired.append("care-home-60-minutes")

    if needs & NURSING_NEEDS or (news2 is not None and news2.band != News2Band.LOW):
        lead = LeadDiscipline.NURSE
        fired.append("lead-nurse-clinical-need")
    elif needs & THERAPY_NEEDS:
        lead = LeadDiscipline.THERAPIST
        fired.append("lead-therapist-function")
    elif needs & SOCIAL_CARE_NEEDS:
        lead = LeadDiscipline.SOCIAL_CARE
        fired.append("lead-social-care")
    else:
        lead = LeadDiscipline.NURSE
        fired.append("lead-nurse-default")

    emergency = news2 is not None and news2.band == News2Band.HIGH
    if emergency:
        fired.append("news2-emergency-advise-999")

    return TriageDecision(
        tier=tier,
        lead_discipline=lead,
        care_setting=CareSetting.HOME,
        first_contact_deadline=deadline,
        rules_fired=tuple(fired),
        news2_score=news2.score if news2 else None,
        advise_emergency_services=emergency,
    )
