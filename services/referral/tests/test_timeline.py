"""The timeline's words: one line per event, saying what happened with ids, times and decisions,
never the person's name, NHS number or address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from carerelay_contract.episode import EpisodeClosed
from carerelay_contract.referral import ReferralAccepted, ReferralReceived, ReferralRejected, ReferralUpdated
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
