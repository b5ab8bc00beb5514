"""What each action about an episode means: its event, and what it writes (consent, the lead)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from carerelay_contract.episode import (
    CarePlanChangeProposed,
    ConsentRecorded,
    ConsentWithdrawn,
    DischargeRecommended,
    LeadDisciplineTransferred,
    OnwardReferralMade,
)
from carerelay_contract.vocabulary import ConsentScope, EpisodeOutcome, LeadDiscipline
from carerelay_scheduling.domain.actions import episode as actions
from carerelay_scheduling.domain.actions.bodies import (
    CarePlanProposal,
    ConsentGiven,
    ConsentWithdrawal,
    DischargeRecommendation,
    LeadTransfer,
    OnwardReferral,
)
from carerelay_scheduling.domain.actions.outcome import Clinician, Conflict, Episode

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
NURSE = Clinician(uuid4(), "Nurse Amara Okafor")


def an_episode(**changes: object) -> Episode:
    fields: dict[str, object] = {"episode_id": uuid4(), "lead_discipline": LeadDiscipline.NURSE, "care_plan_id": None}
    return Episode(**(fields | changes))  # type: ignore[arg-type]


def test_consent_is_recorded_with_who_and_when() -> None:
    family = uuid4()
    outcome = actions.consent(
        an_episode(), ConsentGiven(scope=ConsentScope.FAMILY_INVOLVEMENT, family_contact_id=family), NURSE, NOW
    )
    (event,) = outcome.events
    given = outcome.change.consent_given
    assert isinstance(event, ConsentRecorded)
    assert given is not None
    assert (given.scope, given.family_contact_id, given.recorded_by, given.recorded_at) == (
        ConsentScope.FAMILY_INVOLVEMENT,
        family,
        NURSE.staff_id,
        NOW,
    )
    assert event.consent_id == given.consent_id
    assert outcome.answer == {"consent_id": str(given.consent_id)}


def test_withdrawing_consent_in_force_withdraws_that_consent() -> None:
    in_force = uuid4()
    episode = an_episode(consents={ConsentScope.FAMILY_INVOLVEMENT: in_force})
    outcome = actions.consent_withdrawal(episode, ConsentWithdrawal(scope=ConsentScope.FAMILY_INVOLVEMENT), NURSE, NOW)
    (event,) = outcome.events
    assert isinstance(event, ConsentWithdrawn)
    assert event.consent_id == in_force
    assert outcome.change.consent_withdrawn == (in_force, NOW)


def test_withdrawing_consent_given_before_the_episodes_records_writes_nothing_but_says_so() -> None:
    outcome = actions.consent_withdrawal(an_episode(), ConsentWithdrawal(scope=ConsentScope.PROFESSIONAL_SHARING), NURSE, NOW)
    (event,) = outcome.events
    assert isinstance(event, ConsentWithdrawn)
    assert outcome.change.consent_withdrawn is None
    assert outcome.answer == {"consent_id": str(event.consent_id)}


def test_a_care_plan_proposal_names_the_plan_in_force_and_changes_nothing() -> None:
    plan = uuid4()
    outcome = actions.care_plan_proposal(
        an_episode(care_plan_id=plan), CarePlanProposal(reason="Add a teatime visit", declined=["midday visit"]), NURSE, NOW
    )
    (event,) = outcome.events
    assert isinstance(event, CarePlanChangeProposed)
    assert (event.care_plan_id, event.reason, event.declined) == (plan, "Add a teatime visit", ["midday visit"])
    assert outcome.change == type(outcome.change)()


def test_the_lead_moves_to_another_discipline_by_name() -> None:
    outcome = actions.lead_transfer(
        an_episode(), LeadTransfer(to_discipline=LeadDiscipline.THERAPIST, reason="Mobility"), NURSE, NOW
    )
    (event,) = outcome.events
    assert isinstance(event, LeadDisciplineTransferred)
    assert (event.from_discipline, event.to_discipline, event.transferred_by, event.transferred_by_staff_id) == (
        LeadDiscipline.NURSE,
        LeadDiscipline.THERAPIST,
        "Nurse Amara Okafor",
        NURSE.staff_id,
    )
    assert outcome.change.lead == LeadDiscipline.THERAPIST
    assert outcome.answer == {"from_discipline": "nurse", "to_discipline": "therapist"}


@pytest.mark.parametrize(
    ("lead", "reason"),
    [(LeadDiscipline.NURSE, "nurse already leads this episode"), (None, "the episode's lead discipline is not known yet")],
)
def test_the_lead_cannot_move_to_itself_or_from_nobody(lead: LeadDiscipline | None, reason: str) -> None:
    with pytest.raises(Conflict) as refused:
        actions.lead_transfer(an_episode(lead_discipline=lead), LeadTransfer(to_discipline=LeadDiscipline.NURSE), NURSE, NOW)
    assert refused.value.reason == reason


def test_a_hub_clinician_without_a_staff_id_transfers_the_lead_by_name() -> None:
    event = actions.transferred(uuid4(), LeadDiscipline.NURSE, LeadDiscipline.SOCIAL_CARE, "", NOW, None, "Ruth Ellis")
    assert (event.transferred_by, event.transferred_by_staff_id) == ("Ruth Ellis", None)


def test_an_onward_referral_and_a_discharge_recommendation_each_say_so() -> None:
    onward = actions.onward_referral(
        an_episode(), OnwardReferral(service="Social care assessment", wanted_from=date(2030, 1, 6)), NURSE, NOW
    )
    discharge = actions.discharge_recommendation(
        an_episode(), DischargeRecommendation(outcome=EpisodeOutcome.ONGOING_CARE_PACKAGE, summary="From Monday"), NURSE, NOW
    )
    assert isinstance(onward.events[0], OnwardReferralMade)
    assert onward.events[0].wanted_from == date(2030, 1, 6)
    assert isinstance(discharge.events[0], DischargeRecommended)
    assert discharge.change == type(discharge.change)()  # it recommends; it closes nothing
