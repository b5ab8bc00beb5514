"""The actions about an episode, each `apply(episode, body, by, at) -> EpisodeOutcome`: consent given or
withdrawn, a care plan change proposed (a coordinator agrees it), the lead handed to another discipline,
an onward referral, a discharge recommendation (it recommends), and closing the episode (the lead
clinician's or the hub's call, from a recommendation or directly)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

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
from carerelay_contract.vocabulary import EpisodeOutcome as Ended
from carerelay_contract.vocabulary import LeadDiscipline

from .bodies import (
    CarePlanProposal,
    ConsentGiven,
    ConsentWithdrawal,
    DischargeRecommendation,
    EpisodeClosure,
    LeadTransfer,
    OnwardReferral,
)
from .outcome import (
    Clinician,
    Closure,
    Conflict,
    Consent,
    Episode,
    EpisodeChange,
    EpisodeOutcome,
    Invalid,
    Proposal,
    Recommendation,
)

OUTCOME_WORDS: dict[Ended, str] = {
    Ended.NO_FURTHER_SERVICES: "home, no further services",
    Ended.ONGOING_CARE_PACKAGE: "onward care package",
    Ended.ADMITTED_TO_HOSPITAL: "admitted to hospital",
    Ended.COMMUNITY_BED: "moved to a community bed",
    Ended.LONG_TERM_RESIDENTIAL_CARE: "long-term residential care",
    Ended.TRANSFERRED_TO_OTHER_SERVICE: "transferred to another service",
    Ended.DECLINED_SERVICE: "declined the service",
    Ended.DIED: "died",
}
"""How a visit cancelled by the episode's closing gives its reason."""


def still_open(episode: Episode) -> None:
    """Conflict once the episode is closed: nothing more is recorded about it."""
    if episode.closure is not None:
        raise Conflict(f"the episode was closed on {episode.closure.closed_at:%d %b %Y} ({episode.closure.outcome.value})")


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
    """A proposal only, kept: the plan changes when a coordinator agrees it (domain.care_plan_changes)."""
    kept = Proposal(
        uuid4(), episode.episode_id, episode.care_plan_id, body.reason, tuple(body.visits), tuple(body.declined), at, by.staff_id
    )
    event = CarePlanChangeProposed(
        episode_id=episode.episode_id,
        proposal_id=kept.proposal_id,
        care_plan_id=episode.care_plan_id,
        proposed_at=at,
        proposed_by_staff_id=by.staff_id,
        reason=body.reason,
        visits=body.visits,
        declined=body.declined,
    )
    return EpisodeOutcome([event], EpisodeChange(proposed=kept), {"proposal_id": str(kept.proposal_id)})


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
    """A recommendation only, kept: the hub (or the lead clinician) closes the episode from it."""
    kept = Recommendation(uuid4(), body.outcome, body.summary, at, by.staff_id)
    event = DischargeRecommended(
        episode_id=episode.episode_id,
        recommendation_id=kept.recommendation_id,
        recommended_at=at,
        recommended_by_staff_id=by.staff_id,
        outcome=body.outcome,
        summary=body.summary,
    )
    return EpisodeOutcome([event], EpisodeChange(recommended=kept), {"recommendation_id": str(kept.recommendation_id)})


def closing(
    episode: Episode, body: EpisodeClosure, by_staff_id: UUID | None, by_name: str | None, at: datetime
) -> EpisodeOutcome:
    """The episode ends, once, with an outcome: given, or the recommendation's (its summary too unless one
    is given). Its visits not yet under way are cancelled (a visit in progress is finished and recorded);
    no more visits are made from its care plan. Conflict when it is already closed or was never accepted;
    Invalid when the recommendation is not one of this episode's."""
    still_open(episode)
    if not episode.accepted:
        raise Conflict("the referral has not been accepted: reject or cancel it instead")
    recommended = None
    if body.recommendation_id is not None:
        recommended = episode.recommendations.get(body.recommendation_id)
        if recommended is None:
            raise Invalid("recommendation_id", "not a discharge recommendation of this episode")
    outcome = body.outcome or (recommended.outcome if recommended else None)
    if outcome is None:  # the body's validator requires one of the two
        raise Invalid("outcome", "required")
    summary = body.summary or (recommended.summary if recommended else "")
    closure = Closure(outcome, summary, at, by_staff_id, by_name, body.recommendation_id)
    closed = EpisodeClosed(
        episode_id=episode.episode_id,
        closed_at=at,
        outcome=outcome,
        closed_by_staff_id=by_staff_id,
        closed_by=by_name,
        summary=summary,
        recommendation_id=body.recommendation_id,
    )
    reason = f"episode closed: {OUTCOME_WORDS[outcome]}"
    cancelled = [
        VisitCancelled(episode_id=episode.episode_id, visit_id=visit_id, cancelled_at=at, reason=reason)
        for visit_id in episode.open_visits
    ]
    change = EpisodeChange(closed=closure, cancelled_visits=episode.open_visits)
    answer = {"outcome": outcome.value, "cancelled_visits": [str(visit_id) for visit_id in episode.open_visits]}
    return EpisodeOutcome([closed, *cancelled], change, answer)
