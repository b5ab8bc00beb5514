"""The timeline's words: one line per event, saying what happened with ids, times and decisions,
never the person's name, NHS number or address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from carerelay_contract.episode import CarePlanChangeDeclined, CarePlanChangeProposed, DischargeRecommended, EpisodeClosed
from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_contract.referral import (
    ReferralAccepted,
    ReferralCancelled,
    ReferralReceived,
    ReferralRejected,
    ReferralUpdated,
)
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.visit import VisitAssigned, VisitStarted
from carerelay_contract.vocabulary import EpisodeOutcome, LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_referral.domain.timeline import summarise
from carerelay_testing.factories import MRS_A_NHS_NUMBER, referral_received

AT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def test_a_referral_received_says_its_route_and_needs_and_not_who_it_is() -> None:
    event = ReferralReceived.model_validate(referral_received())
    line = summarise(event)
    assert line == "Referral received (step-up; needs: reduced-function, medication)"
    for personal in (MRS_A_NHS_NUMBER, "Alice", "Archer", "Mill Lane", "LE1"):
        assert personal not in line


def test_decisions_and_additions_say_who() -> None:
    ids = {"episode_id": uuid4(), "referral_id": uuid4()}
    assert summarise(ReferralAccepted(**ids, accepted_at=AT, accepted_by="Ruth Ellis")) == "Accepted by Ruth Ellis"
    rejected = ReferralRejected(**ids, rejected_at=AT, rejected_by="Ruth Ellis", reason="Needs a hospital bed")
    assert summarise(rejected) == "Rejected by Ruth Ellis: Needs a hospital bed"
    assert summarise(ReferralUpdated(**ids, updated_at=AT, updated_by="Sophie Reid")) == "More information added by Sophie Reid"
    assert summarise(ReferralUpdated(**ids, updated_at=AT)) == "More information added"


def test_triage_and_the_first_visit_say_when() -> None:
    episode = uuid4()
    triage = TriageCompleted(
        episode_id=episode,
        referral_id=uuid4(),
        decided_at=AT,
        tier=ResponseTier.UCR_2H,
        lead_discipline=LeadDiscipline.NURSE,
        route=ReferralRoute.STEP_UP,
        first_contact_deadline=AT + timedelta(hours=2),
        rules_version="test",
        rules_fired=["ucr-clinical-need"],
    )
    assert summarise(triage) == "Triage: ucr-2h, nurse lead, first contact by 04 Mar 11:30 (rules: ucr-clinical-need)"
    assigned = VisitAssigned(episode_id=episode, visit_id=uuid4(), staff_id=uuid4(), planned_start=AT)
    assert summarise(assigned) == "Visit assigned, planned for 04 Mar 09:30"
    assert (
        summarise(VisitStarted(episode_id=episode, visit_id=uuid4(), staff_id=uuid4(), at=AT)) == "Visit started: first contact"
    )
    closed = EpisodeClosed(episode_id=episode, closed_at=AT, outcome=EpisodeOutcome.NO_FURTHER_SERVICES)
    assert summarise(closed) == "Episode closed: no-further-services"


def test_the_end_of_an_episode_says_who_and_why() -> None:
    ids = {"episode_id": uuid4(), "referral_id": uuid4()}
    cancelled = ReferralCancelled(**ids, cancelled_at=AT, reason="Admitted last night", cancelled_by="Sophie Reid")
    assert summarise(cancelled) == "Cancelled by Sophie Reid: Admitted last night"
    recommended = DischargeRecommended(
        episode_id=ids["episode_id"],
        recommendation_id=uuid4(),
        recommended_at=AT,
        recommended_by_staff_id=uuid4(),
        outcome=EpisodeOutcome.ONGOING_CARE_PACKAGE,
        summary="Package from Monday",
    )
    assert summarise(recommended) == "Discharge recommended: ongoing-care-package (Package from Monday)"
    closed = EpisodeClosed(
        episode_id=ids["episode_id"], closed_at=AT, outcome=EpisodeOutcome.COMMUNITY_BED, closed_by="Ruth Ellis", summary="Bed 4"
    )
    assert summarise(closed) == "Episode closed by Ruth Ellis: community-bed (Bed 4)"


def test_a_hospital_stay_and_a_care_plan_change_say_what_happens_next() -> None:
    episode = uuid4()
    stay = {"hospital_encounter_id": "hub:1", "nhs_number": MRS_A_NHS_NUMBER, "hospital": "County General"}
    admitted = summarise(PatientAdmitted(episode_id=episode, admitted_at=AT, **stay))
    assert admitted == "Admitted to hospital (County General): visits paused"
    assert MRS_A_NHS_NUMBER not in admitted
    home = PatientDischarged(episode_id=episode, discharged_at=AT, **stay)
    assert summarise(home) == "Discharged from County General: reassessment before visits resume"
    proposed = CarePlanChangeProposed(
        episode_id=episode, proposal_id=uuid4(), proposed_at=AT, proposed_by_staff_id=uuid4(), reason="Add a teatime visit"
    )
    assert summarise(proposed) == "Care plan change proposed: Add a teatime visit"
    declined = CarePlanChangeDeclined(
        episode_id=episode,
        proposal_id=proposed.proposal_id,
        declined_at=AT,
        declined_by="Daniel Hughes",
        reason="No carer at teatime",
        proposed_by_staff_id=uuid4(),
    )
    assert summarise(declined) == "Care plan change declined by Daniel Hughes: No carer at teatime"
