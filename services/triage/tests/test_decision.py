"""Triage decisions for the domain's stories (shared/domain.md), as a hub clinician would expect them.

Each story is a `referral.received` event fed to `decide()`. The tests check the response tier, the
lead discipline, the first-contact deadline as an exact time from `received_at`, and the names of
the rules that fired, so a clinician can read why.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from carerelay_clinical.news2 import Acvpu
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.vocabulary import CareSetting, LeadDiscipline, PresentingNeed, ReferralRoute, ReferrerRole, ResponseTier
from carerelay_testing.factories import referral_received
from carerelay_triage.domain.decision import TriageDecision, decide
from carerelay_triage.rules import DEFAULT_RULES_FILE, load_rules

RULES = load_rules(DEFAULT_RULES_FILE)
"""The live rules file, as the service loads it."""

RECEIVED_AT = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)

REFERRERS: dict[ReferrerRole, dict[str, str]] = {
    ReferrerRole.GP: {"organisation": "Mill Lane Surgery", "name": "Dr Patel"},
    ReferrerRole.WARD_TEAM: {"organisation": "Royal Infirmary, Ward 7", "name": "Charge Nurse Okoro"},
    ReferrerRole.FAMILY_OR_CARER: {"organisation": "Family", "name": "Daughter"},
    ReferrerRole.CARE_HOME: {"organisation": "Beech House Care Home", "name": "Senior Carer"},
    ReferrerRole.NHS_111: {"organisation": "NHS 111", "name": "Clinical Advisor"},
    ReferrerRole.COMMUNITY_TEAM: {"organisation": "District Nursing, West Locality", "name": "District Nurse"},
}

# Observations a clinician would call unremarkable: NEWS2 0.
UNREMARKABLE: dict[str, Any] = {
    "respiration_rate": 16,
    "spo2_percent": 96,
    "on_supplemental_oxygen": False,
    "systolic_bp": 138,
    "pulse": 78,
    "consciousness": Acvpu.ALERT,
    "temperature_celsius": 36.8,
}


def referral(
    *,
    route: ReferralRoute,
    referrer: ReferrerRole,
    needs: list[PresentingNeed],
    reason: str,
    observations: dict[str, Any] | None = None,
    received_at: datetime = RECEIVED_AT,
    **extra: Any,
) -> ReferralReceived:
    """Mrs A's `referral.received` (the shared factory) as made by `referrer`, with these needs."""
    return ReferralReceived.model_validate(
        referral_received(
            received_at=received_at,
            route=route,
            referrer={"role": referrer, "callback_number": "0116 496 0000", **REFERRERS[referrer]},
            reason=reason,
            presenting_needs=needs,
            observations=observations,
            **extra,
        )
    )


def allowed(decision: TriageDecision, received_at: datetime = RECEIVED_AT) -> timedelta:
    """Elapsed time from referral to the first-contact deadline, measured on the UTC clock."""
    return decision.first_contact_deadline.astimezone(UTC) - received_at.astimezone(UTC)


# ---------------------------------------------------------------- the stories


def test_mrs_a_gp_step_up_reduced_function_and_medication() -> None:
    """Mrs A (003:699-729): her GP rings the single point of access; she lives alone, is managing less
    well at home and her medicines need sorting out.

    Expected: UCR 2 hours, nurse lead. Reduced function is one of the nine national 2-hour Urgent
    Community Response needs, so the 2-hour clock applies (tighter than the story's 6-hour nurse visit).
    Medication needs a registered nurse, so a nurse leads, and the OT follows on as in the story.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.GP,
            needs=[PresentingNeed.REDUCED_FUNCTION, PresentingNeed.MEDICATION],
            reason="Struggling to manage at home, lives alone; medicines muddled since last review",
            known_risks="Lives alone; falls risk",
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(hours=2)
    assert decision.rules_fired == ("ucr-clinical-need", "lead-nurse-clinical-need")
    assert decision.news2_score is None
    assert decision.advise_emergency_services is False
    assert decision.care_setting == CareSetting.HOME


def test_ethel_gp_at_her_house_after_a_fall() -> None:
    """Ethel (004:3123-3135): her GP phones the hub from her house; she has fallen, has no serious
    injury, and her observations are unremarkable (NEWS2 0).

    Expected: UCR 2 hours, therapist lead. A fall without serious injury is a 2-hour UCR need; with
    normal physiology the question is function and safety at home (mobility, equipment), which a
    therapist leads.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.GP,
            needs=[PresentingNeed.FALL],
            reason="Fall at home overnight, no injury found, unsteady; GP with her now",
            observations=UNREMARKABLE,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.THERAPIST
    assert allowed(decision) == timedelta(hours=2)
    assert decision.rules_fired == ("ucr-clinical-need", "news2-low", "lead-therapist-function")
    assert decision.news2_score == 0
    assert decision.advise_emergency_services is False


def test_reg_ward_step_down_discharge_and_reablement() -> None:
    """Reg (004:3113-3121): the ward declares him medically fit and sends one referral for support
    home and reablement.

    Expected: fast (within 1 day), therapist lead. A step-down discharge is not one of the 2-hour
    UCR needs, but he must be seen the day he gets home; reablement is therapy-led.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_DOWN,
            referrer=ReferrerRole.WARD_TEAM,
            needs=[PresentingNeed.DISCHARGE_SUPPORT, PresentingNeed.REABLEMENT],
            reason="Medically fit for discharge after pneumonia; deconditioned, needs reablement at home",
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.FAST
    assert decision.lead_discipline == LeadDiscipline.THERAPIST
    assert allowed(decision) == timedelta(days=1)
    assert decision.rules_fired == ("step-down-next-day", "lead-therapist-function")


def test_sally_daughter_phones_under_escalation_plan() -> None:
    """Sally (004:2428-2446): her daughter rings at 08:00 under the agreed escalation plan; Sally is
    newly confused and not herself.

    Observations: respiration 22 -> 2, SpO2 95% -> 1, air -> 0, systolic 118 -> 0, pulse 98 -> 1,
    alert -> 0 (the family reports muddled, not new confusion on ACVPU testing), temperature 38.3 -> 1:
    NEWS2 5, medium.

    Expected: UCR 2 hours, nurse lead. Confusion / delirium and frailty decompensation are 2-hour UCR
    needs, and NEWS2 5-6 calls for urgent clinical review; a qualified nurse visits and starts
    treatment at home. NEWS2 5 must not weaken the 2-hour tier to 'rapid'.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.FAMILY_OR_CARER,
            needs=[PresentingNeed.CONFUSION_DELIRIUM, PresentingNeed.FRAILTY_DECOMPENSATION],
            reason="Escalation plan: more muddled since yesterday, off her food, feverish",
            observations={
                **UNREMARKABLE,
                "respiration_rate": 22,
                "spo2_percent": 95,
                "systolic_bp": 118,
                "pulse": 98,
                "temperature_celsius": 38.3,
            },
            clinical_frailty_scale=6,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(hours=2)
    assert decision.news2_score == 5
    assert decision.rules_fired == ("ucr-clinical-need", "news2-medium", "lead-nurse-clinical-need")
    assert decision.advise_emergency_services is False


def test_care_home_resident_with_a_ucr_need_is_seen_within_60_minutes() -> None:
    """A care home rings about a resident whose catheter has blocked (002:863).

    Expected: UCR, nurse lead, on site within 60 minutes. Urgent catheter care is a UCR need; the
    care-home rapid response promise (60 minutes, as an alternative to A&E) is tighter than 2 hours.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.CARE_HOME,
            needs=[PresentingNeed.URGENT_CATHETER_CARE],
            reason="Catheter blocked, in discomfort, bypassing",
            from_care_home=True,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(minutes=60)
    assert decision.first_contact_deadline == RECEIVED_AT + timedelta(minutes=60)
    assert decision.rules_fired == ("ucr-clinical-need", "care-home-60-minutes", "lead-nurse-clinical-need")


def test_news2_7_or_more_advises_999() -> None:
    """111 passes on a man with frailty decompensation whose observations score NEWS2 11 (high).

    respiration 26 -> 3, SpO2 92% -> 2, air -> 0, systolic 95 -> 2, pulse 125 -> 2, alert -> 0,
    temperature 39.2 -> 2: 3 + 2 + 0 + 2 + 2 + 0 + 2 = 11.

    Expected: advise emergency services (999) - NEWS2 7+ is an emergency, beyond a community
    response; the hub still holds the 2-hour UCR clock in case conveyance is declined, and a nurse
    leads because the physiology is abnormal.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.NHS_111,
            needs=[PresentingNeed.FRAILTY_DECOMPENSATION],
            reason="Weak, breathless, hot to touch",
            observations={
                **UNREMARKABLE,
                "respiration_rate": 26,
                "spo2_percent": 92,
                "systolic_bp": 95,
                "pulse": 125,
                "temperature_celsius": 39.2,
            },
        ),
        RULES,
    )

    assert decision.news2_score == 11
    assert decision.advise_emergency_services is True
    assert "news2-emergency-advise-999" in decision.rules_fired
    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(hours=2)
    assert decision.rules_fired == ("ucr-clinical-need", "news2-high", "lead-nurse-clinical-need", "news2-emergency-advise-999")


def test_normal_non_urgent_referral() -> None:
    """A district nurse refers a leg ulcer for a dressing plan; the person is stable and well.

    Expected: normal (within 3 days), nurse lead. No UCR need, not a discharge, normal physiology:
    a planned first visit within 3 days is right, and wound care is nursing.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.COMMUNITY_TEAM,
            needs=[PresentingNeed.WOUND_CARE],
            reason="Venous leg ulcer, needs dressing plan",
            observations=UNREMARKABLE,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.NORMAL
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(days=3)
    assert decision.rules_fired == ("default-normal", "news2-low", "lead-nurse-clinical-need")
    assert decision.advise_emergency_services is False


# ---------------------------------------------------------------- edges around the stories


@pytest.mark.parametrize(
    ("changes", "band_rule", "expected_score"),
    [
        pytest.param({"consciousness": Acvpu.CONFUSION}, "news2-low-medium", 3, id="single-3"),
        pytest.param({"respiration_rate": 22, "pulse": 115, "temperature_celsius": 38.5}, "news2-medium", 5, id="medium"),
    ],
)
def test_urgent_review_news2_without_a_ucr_need_is_rapid_and_nurse_led(
    changes: dict[str, Any], band_rule: str, expected_score: int
) -> None:
    """A wound-care referral whose observations call for urgent review (single 3, or 5-6) is no
    longer a 3-day job: rapid (3 hours), nurse lead."""
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.COMMUNITY_TEAM,
            needs=[PresentingNeed.WOUND_CARE],
            reason="Leg ulcer, now unwell",
            observations={**UNREMARKABLE, **changes},
        ),
        RULES,
    )

    assert decision.news2_score == expected_score
    assert decision.tier == ResponseTier.RAPID
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(hours=3)
    assert decision.rules_fired == ("default-normal", band_rule, "news2-urgent-review-rapid", "lead-nurse-clinical-need")


def test_news2_7_or_more_without_a_ucr_need_is_not_left_on_a_3_day_clock() -> None:
    """A step-down referral for reablement whose observations score NEWS2 7 (high).

    respiration 22 -> 2, pulse 115 -> 2, systolic 95 -> 2, temperature 38.5 -> 1: 2+2+2+1 = 7.

    Expected: advise 999, and if the person stays at home the clock is at least as urgent as for
    NEWS2 5-6 (rapid, 3 hours), nurse led. A 1-day (or 3-day) clock for a NEWS2 7 would be unsafe.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_DOWN,
            referrer=ReferrerRole.WARD_TEAM,
            needs=[PresentingNeed.REABLEMENT],
            reason="Discharged yesterday; carer worried tonight",
            observations={**UNREMARKABLE, "respiration_rate": 22, "pulse": 115, "systolic_bp": 95, "temperature_celsius": 38.5},
        ),
        RULES,
    )

    assert decision.news2_score == 7
    assert decision.advise_emergency_services is True
    assert decision.tier == ResponseTier.RAPID
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(hours=3)
    assert decision.rules_fired == (
        "step-down-next-day",
        "news2-high",
        "news2-urgent-review-rapid",
        "lead-nurse-clinical-need",
        "news2-emergency-advise-999",
    )


def test_care_home_without_a_ucr_need_keeps_its_tier_clock() -> None:
    """The 60-minute care-home promise is for urgent (UCR) needs; a routine wound review from a care
    home is a normal 3-day referral."""
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.CARE_HOME,
            needs=[PresentingNeed.WOUND_CARE],
            reason="Pressure area review",
            from_care_home=True,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.NORMAL
    assert allowed(decision) == timedelta(days=3)
    assert "care-home-60-minutes" not in decision.rules_fired


def test_carer_breakdown_is_ucr_and_social_care_led() -> None:
    """Unpaid-carer breakdown that would otherwise cause a health need is a UCR need; social care leads."""
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.GP,
            needs=[PresentingNeed.CARER_BREAKDOWN],
            reason="Husband (sole carer) admitted; she cannot manage alone",
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.UCR_2H
    assert decision.lead_discipline == LeadDiscipline.SOCIAL_CARE
    assert decision.rules_fired == ("ucr-clinical-need", "lead-social-care")


@pytest.mark.parametrize(
    ("from_care_home", "expected"),
    [(False, timedelta(hours=2)), (True, timedelta(minutes=60))],
)
def test_deadline_is_elapsed_time_across_the_autumn_clock_change(from_care_home: bool, expected: timedelta) -> None:
    """The hub runs 24/7. A referral received at 00:30 BST on the night the clocks go back
    (25 October 2026) must still be answered within 2 hours (or 60 minutes) of real time, not 2 hours
    of wall-clock time, which would be 3 real hours."""
    london = ZoneInfo("Europe/London")
    received_at = datetime(2026, 10, 25, 0, 30, tzinfo=london)
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.GP,
            needs=[PresentingNeed.FALL],
            reason="Fall at home overnight",
            received_at=received_at,
            from_care_home=from_care_home,
        ),
        RULES,
    )

    assert allowed(decision, received_at) == expected
    assert decision.first_contact_deadline.utcoffset() is not None


# ---------------------------------------------------------------- severe frailty (Clinical Frailty Scale)


@pytest.mark.parametrize("cfs", [7, 8, 9])
def test_severe_frailty_without_a_ucr_need_is_seen_within_a_day(cfs: int) -> None:
    """A GP refers a woman living with severe frailty (Clinical Frailty Scale 7 or more: dependent for
    personal care) for a medicines review; nothing on the nine 2-hour needs.

    Expected: fast (within 1 day), nurse lead, by the rule "severe-frailty-fast": a 3-day wait is too
    long for someone this frail. Medication needs a registered nurse.
    """
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.GP,
            needs=[PresentingNeed.MEDICATION],
            reason="Medicines review; housebound, dependent for personal care",
            clinical_frailty_scale=cfs,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.FAST
    assert decision.lead_discipline == LeadDiscipline.NURSE
    assert allowed(decision) == timedelta(days=1)
    assert decision.rules_fired == ("severe-frailty-fast", "lead-nurse-clinical-need")
    assert decision.rules_version == RULES.version


def test_frailty_below_7_keeps_the_normal_clock() -> None:
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.GP,
            needs=[PresentingNeed.MEDICATION],
            reason="Medicines review",
            clinical_frailty_scale=6,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.NORMAL
    assert decision.rules_fired == ("default-normal", "lead-nurse-clinical-need")


@pytest.mark.parametrize(
    ("route", "needs", "tier", "tier_rule"),
    [
        pytest.param(
            ReferralRoute.STEP_UP, [PresentingNeed.FALL], ResponseTier.UCR_2H, "ucr-clinical-need", id="ucr-need-keeps-2h"
        ),
        pytest.param(
            ReferralRoute.STEP_DOWN, [PresentingNeed.REABLEMENT], ResponseTier.FAST, "step-down-next-day", id="step-down"
        ),
    ],
)
def test_severe_frailty_never_slows_a_referral_down(
    route: ReferralRoute, needs: list[PresentingNeed], tier: ResponseTier, tier_rule: str
) -> None:
    decision = decide(
        referral(route=route, referrer=ReferrerRole.GP, needs=needs, reason="Severely frail", clinical_frailty_scale=8),
        RULES,
    )

    assert decision.tier == tier
    assert decision.rules_fired[0] == tier_rule
    assert "severe-frailty-fast" not in decision.rules_fired


def test_severe_frailty_with_urgent_review_news2_is_rapid() -> None:
    """NEWS2 5-6 still raises a severely frail person's referral from fast to rapid (3 hours)."""
    decision = decide(
        referral(
            route=ReferralRoute.STEP_UP,
            referrer=ReferrerRole.COMMUNITY_TEAM,
            needs=[PresentingNeed.WOUND_CARE],
            reason="Leg ulcer, now unwell",
            observations={**UNREMARKABLE, "respiration_rate": 22, "pulse": 115, "temperature_celsius": 38.5},
            clinical_frailty_scale=7,
        ),
        RULES,
    )

    assert decision.tier == ResponseTier.RAPID
    assert allowed(decision) == timedelta(hours=3)
    assert decision.rules_fired == (
        "severe-frailty-fast",
        "news2-medium",
        "news2-urgent-review-rapid",
        "lead-nurse-clinical-need",
    )
