"""A referral's triage as the rules make it, what `triage.completed` says about it, and what a hub
clinician's override changes (the deadline counted again from when the referral was received)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_testing.factories import referral_received
from carerelay_triage.domain.decision import decide
from carerelay_triage.domain.override import OVERRIDE_RULE, TriageOverride, apply
from carerelay_triage.domain.triage import completed, triaged
from carerelay_triage.rules import DEFAULT_RULES_FILE, load_rules

RULES = load_rules(DEFAULT_RULES_FILE)
RECEIVED = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
DECIDED = RECEIVED + timedelta(seconds=2)


def mrs_a() -> ReferralReceived:
    return ReferralReceived.model_validate(referral_received(received_at=RECEIVED, team="north"))


def test_a_triage_is_the_decision_for_the_referral_with_its_team() -> None:
    referral = mrs_a()
    decision = decide(referral, RULES)

    triage = triaged(referral, decision, at=DECIDED)

    assert (triage.referral_id, triage.episode_id) == (referral.referral_id, referral.episode_id)
    assert triage.route == ReferralRoute.STEP_UP
    assert (triage.tier, triage.lead_discipline) == (ResponseTier.UCR_2H, LeadDiscipline.NURSE)
    assert triage.first_contact_deadline == RECEIVED + timedelta(hours=2)
    assert (triage.decided_at, triage.received_at, triage.team) == (DECIDED, RECEIVED, "north")
    assert triage.rules_fired == decision.rules_fired
    assert triage.rules_version == RULES.version
    assert triage.overridden is False


def test_triage_completed_says_what_was_decided_and_whether_to_advise_999() -> None:
    referral = mrs_a()
    decision = replace(decide(referral, RULES), advise_emergency_services=True)
    triage = triaged(referral, decision, at=DECIDED)

    event = completed(triage, decision)

    assert (event.episode_id, event.referral_id, event.decided_at) == (referral.episode_id, referral.referral_id, DECIDED)
    assert (event.tier, event.lead_discipline, event.first_contact_deadline) == (
        triage.tier,
        triage.lead_discipline,
        triage.first_contact_deadline,
    )
    assert event.rules_fired == list(decision.rules_fired)
    assert event.advise_emergency_services is True


def test_an_override_recomputes_the_deadline_from_when_the_referral_was_received() -> None:
    triage = triaged(mrs_a(), decide(mrs_a(), RULES), at=DECIDED)
    at = RECEIVED + timedelta(minutes=40)
    change = TriageOverride(ResponseTier.RAPID, LeadDiscipline.THERAPIST, "Carer says the wound is worse", "Ruth Ellis", at)

    after, event = apply(triage, change, RULES)

    assert after.first_contact_deadline == RECEIVED + timedelta(hours=3)
    assert (after.tier, after.lead_discipline, after.decided_at, after.overridden) == (
        ResponseTier.RAPID,
        LeadDiscipline.THERAPIST,
        at,
        True,
    )
    assert after.rules_fired == (*triage.rules_fired, OVERRIDE_RULE)
    assert (event.tier, event.lead_discipline, event.first_contact_deadline, event.decided_at) == (
        ResponseTier.RAPID,
        LeadDiscipline.THERAPIST,
        RECEIVED + timedelta(hours=3),
        at,
    )
    assert (event.overridden_by, event.reason, event.referral_id) == ("Ruth Ellis", change.reason, triage.referral_id)


def test_an_override_of_a_decision_without_its_received_time_counts_from_the_decision() -> None:
    triage = replace(triaged(mrs_a(), decide(mrs_a(), RULES), at=DECIDED), received_at=None)
    change = TriageOverride(ResponseTier.FAST, LeadDiscipline.NURSE, "Stable now", "Ruth Ellis", DECIDED + timedelta(hours=1))

    after, _ = apply(triage, change, RULES)

    assert after.first_contact_deadline == DECIDED + timedelta(days=1)
