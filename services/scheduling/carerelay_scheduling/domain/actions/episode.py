"""The actions about an episode, each `apply(episode, body, by, at) -> EpisodeOutcome`: consent given or
withdrawn, a care plan change proposed (a coordinator agrees it), the lead handed to another discipline,
an onward referral, a discharge recommendation (it recommends; closing the episode is the hub's call)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from carerelay_contract.episode import (
    CarePlanChangeProposed,
    ConsentRecorded,
    ConsentWithdrawn,
    DischargeRecommended,
    LeadDisciplineTransferred,
    OnwardReferralMade,
)
from carerelay_contract.vocabulary import LeadDiscipline

from .bodies import CarePlanProposal, ConsentGiven, ConsentWithdrawal, DischargeRecommendation, LeadTransfer, OnwardReferral
from .outcome import Clinician, Conflict, Consent, Episode, EpisodeChange, EpisodeOutcome


def consent(episode: Episode, body: ConsentGiven, by: Clinician, at: datetime) -> EpisodeOutcome:
    given = Consent(uuid4(), body.scope, body.family_contact_id, at, by.staff_id)
    event = ConsentRecorded(
        episode_id=episode.episode_id,
        consent_id=given.consent_id,
        scope=body.scope,
        recorded_at=at,
        recorded_by_staff_id=by.staff_id,
        family_contact_id=body.family_contact_id,
    )
    return EpisodeOutcome([event], EpisodeChange(consent_given=given), {"consent_id": str(given.consent_id)})


def consent_withdrawal(episode: Episode, body: ConsentWithdrawal, by: Clinician, at: datetime) -> EpisodeOutcome:
    """Withdraws the consent in force for the scope; consent given before this episode's records (e.g. at
    referral) is withdrawn under a new id."""
    in_force = episode.consents.get(body.scope)
    consent_id = in_force or uuid4()
    event = ConsentWithdrawn(episode_id=episode.episode_id, consent_id=consent_id, scope=body.scope, withdrawn_at=at)
    change = EpisodeChange(consent_withdrawn=(in_force, at)) if in_force else EpisodeChange()
    return EpisodeOutcome([event], change, {"consent_id": str(consent_id)})


def care_plan_proposal(episode: Episode, body: CarePlanProposal, by: Clinician, at: datetime) -> EpisodeOutcome:
    """A proposal only: the plan changes when a coordinator agrees it (care-plan.updated)."""
    proposal_id = uuid4()
    event = CarePlanChangeProposed(
        episode_id=episode.episode_id,
        proposal_id=proposal_id,
        care_plan_id=episode.care_plan_id,
        proposed_at=at,
        proposed_by_staff_id=by.staff_id,
        reason=body.reason,
        visits=body.visits,
        declined=body.declined,
    )
    return EpisodeOutcome([event], answer={"proposal_id": str(proposal_id)})


def lead_transfer(episode: Episode, body: LeadTransfer, by: Clinician, at: datetime) -> EpisodeOutcome:
    event = transferred(episode.episode_id, episode.lead_discipline, body.to_discipline, body.reason, at, by.staff_id, by.name)
    return EpisodeOutcome(
        [event],
        EpisodeChange(lead=body.to_discipline),
        {"from_discipline": event.from_discipline.value, "to_discipline": body.to_discipline.value},
    )


def transferred(
    episode_id: UUID,
    lead: LeadDiscipline | None,
    to: LeadDiscipline,
    reason: str,
    at: datetime,
    by_staff_id: UUID | None,
    by_name: str | None,
) -> LeadDisciplineTransferred:
    """The lead handed to `to` without a new referral (from the field or by a hub clinician); scheduling then
    plans the new lead's assessment. Conflict when the lead is not known yet or `to` already leads."""
    if lead is None:
        raise Conflict("the episode's lead discipline is not known yet")
    if lead == to:
        raise Conflict(f"{lead.value} already leads this episode")
    return LeadDisciplineTransferred(
        episode_id=episode_id,
        from_discipline=lead,
        to_discipline=to,
        transferred_at=at,
        transferred_by_staff_id=by_staff_id,
        transferred_by=by_name,
        reason=reason,
    )


def onward_referral(episode: Episode, body: OnwardReferral, by: Clinician, at: datetime) -> EpisodeOutcome:
    onward_id = uuid4()
    event = OnwardReferralMade(
        episode_id=episode.episode_id,
        onward_referral_id=onward_id,
        service=body.service,
        made_at=at,
        made_by_staff_id=by.staff_id,
        reason=body.reason,
        wanted_from=body.wanted_from,
    )
    return EpisodeOutcome([event], answer={"onward_referral_id": str(onward_id)})


def discharge_recommendation(episode: Episode, body: DischargeRecommendation, by: Clinician, at: datetime) -> EpisodeOutcome:
    recommendation_id = uuid4()
    event = DischargeRecommended(
        episode_id=episode.episode_id,
        recommendation_id=recommendation_id,
        recommended_at=at,
        recommended_by_staff_id=by.staff_id,
        outcome=body.outcome,
        summary=body.summary,
    )
    return EpisodeOutcome([event], answer={"recommendation_id": str(recommendation_id)})
