"""What each action about an episode means: its event, and what it writes (consent, the lead)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from carerelay_contract.episode import (
    CarePlanChangeProposed,
    ConsentRecorded,
    ConsentWithdrawn,
    DischargeRecommended,
    EpisodeClosed,
    LeadDisciplineTransferred,
    OnwardReferralMade,
)
from carerelay_contract.visit import VisitCancelled
from carerelay_contract.vocabulary import ConsentScope, EpisodeOutcome, LeadDiscipline
from carerelay_scheduling.domain.actions import episode as actions
from carerelay_scheduling.domain.actions.bodies import (
    CarePlanProposal,
    ConsentGiven,
    ConsentWithdrawal,
    DischargeRecommendation,
    EpisodeClosure,
    LeadTransfer,
    OnwardReferral,
)
from carerelay_scheduling.domain.actions.outcome import Clinician, Closure, Conflict, Episode, Invalid, Recommendation

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
NURSE = Clinician(uuid4(), "Nurse Amara Okafor")
HUB = Clinician(uuid4(), "Ruth Ellis")


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


def test_a_care_plan_proposal_names_the_plan_in_force_and_is_kept_to_be_decided() -> None:
    plan = uuid4()
    outcome = actions.care_plan_proposal(
        an_episode(care_plan_id=plan), CarePlanProposal(reason="Add a teatime visit", declined=["midday visit"]), NURSE, NOW
    )
    (event,) = outcome.events
    assert isinstance(event, CarePlanChangeProposed)
    assert (event.care_plan_id, event.reason, event.declined) == (plan, "Add a teatime visit", ["midday visit"])
    kept = outcome.change.proposed
    assert kept is not None
    assert (kept.proposal_id, kept.care_plan_id, kept.proposed_by, kept.decision) == (
        event.proposal_id,
        plan,
        NURSE.staff_id,
        None,
    )
    assert outcome.change.lead is None, "the plan itself changes only when the proposal is agreed"


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
    kept = discharge.change.recommended
    assert kept is not None  # kept, so that the episode can be closed from it
    assert (kept.recommendation_id, kept.outcome, kept.summary) == (
        discharge.events[0].recommendation_id,
        EpisodeOutcome.ONGOING_CARE_PACKAGE,
        "From Monday",
    )
    assert discharge.change.closed is None, "it recommends; it closes nothing"


def a_recommendation(outcome: EpisodeOutcome = EpisodeOutcome.ONGOING_CARE_PACKAGE) -> Recommendation:
    return Recommendation(uuid4(), outcome, "Package from Monday", NOW, NURSE.staff_id)


def test_closing_from_a_recommendation_takes_its_outcome_and_summary_and_cancels_the_open_visits() -> None:
    recommended = a_recommendation()
    visits = (uuid4(), uuid4())
    episode = an_episode(open_visits=visits, recommendations={recommended.recommendation_id: recommended})
    outcome = actions.closing(
        episode, EpisodeClosure(recommendation_id=recommended.recommendation_id), HUB.staff_id, HUB.name, NOW
    )
    closed, *cancelled = outcome.events
    assert isinstance(closed, EpisodeClosed)
    assert (closed.outcome, closed.summary, closed.recommendation_id) == (
        EpisodeOutcome.ONGOING_CARE_PACKAGE,
        "Package from Monday",
        recommended.recommendation_id,
    )
    assert (closed.closed_by_staff_id, closed.closed_by, closed.closed_at) == (HUB.staff_id, "Ruth Ellis", NOW)
    by_name = actions.closing(episode, EpisodeClosure(outcome=EpisodeOutcome.DIED), None, "Ruth Ellis", NOW)
    assert (by_name.events[0].closed_by_staff_id, by_name.events[0].closed_by) == (None, "Ruth Ellis")  # type: ignore[attr-defined]
    assert all(isinstance(event, VisitCancelled) for event in cancelled)
    assert [event.visit_id for event in cancelled] == list(visits)  # type: ignore[attr-defined]
    assert {event.reason for event in cancelled} == {"episode closed: onward care package"}  # type: ignore[attr-defined]
    assert outcome.change.cancelled_visits == visits
    assert outcome.change.closed == Closure(
        EpisodeOutcome.ONGOING_CARE_PACKAGE, "Package from Monday", NOW, HUB.staff_id, "Ruth Ellis", recommended.recommendation_id
    )


def test_closing_directly_or_overriding_the_recommendation_uses_what_was_given() -> None:
    recommended = a_recommendation()
    episode = an_episode(recommendations={recommended.recommendation_id: recommended})
    direct = actions.closing(an_episode(), EpisodeClosure(outcome=EpisodeOutcome.COMMUNITY_BED), HUB.staff_id, HUB.name, NOW)
    overridden = actions.closing(
        episode,
        EpisodeClosure(
            recommendation_id=recommended.recommendation_id, outcome=EpisodeOutcome.ADMITTED_TO_HOSPITAL, summary="Admitted"
        ),
        HUB.staff_id,
        HUB.name,
        NOW,
    )
    assert [type(event) for event in direct.events] == [EpisodeClosed], "no open visits: nothing else to say"
    assert direct.events[0].outcome is EpisodeOutcome.COMMUNITY_BED  # type: ignore[attr-defined]
    assert (overridden.events[0].outcome, overridden.events[0].summary) == (  # type: ignore[attr-defined]
        EpisodeOutcome.ADMITTED_TO_HOSPITAL,
        "Admitted",
    )


def test_an_episode_closes_once_and_only_once_accepted() -> None:
    closed = an_episode(closure=Closure(EpisodeOutcome.DIED, "", NOW, HUB.staff_id, HUB.name))
    with pytest.raises(Conflict, match="the episode was closed on 10 Mar 2025"):
        actions.closing(closed, EpisodeClosure(outcome=EpisodeOutcome.NO_FURTHER_SERVICES), HUB.staff_id, HUB.name, NOW)
    with pytest.raises(Conflict, match="was closed"):
        actions.still_open(closed)
    with pytest.raises(Conflict, match="not been accepted"):
        actions.closing(an_episode(accepted=False), EpisodeClosure(outcome=EpisodeOutcome.DIED), HUB.staff_id, HUB.name, NOW)
    actions.still_open(an_episode())


def test_closing_from_another_episodes_recommendation_names_the_field() -> None:
    with pytest.raises(Invalid) as refused:
        actions.closing(an_episode(), EpisodeClosure(recommendation_id=uuid4()), HUB.staff_id, HUB.name, NOW)
    assert refused.value.field == "recommendation_id"


def test_a_closing_needs_an_outcome_or_a_recommendation() -> None:
    with pytest.raises(ValidationError, match="outcome: required unless"):
        EpisodeClosure(summary="Done")
    with pytest.raises(ValidationError, match="outcome"):
        EpisodeClosure.model_validate({"outcome": "cured"})
