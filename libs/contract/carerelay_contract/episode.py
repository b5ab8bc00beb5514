"""The episode of care: assessments, care plans, consent, lead transfer, onward referrals,
discharge recommendations and closure (topic carerelay.episode.v1).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from .model import Event, FreeText, ShortText
from .parts import Observations, RecurringVisit
from .topics import Topic
from .vocabulary import (
    AssessmentKind,
    ConsentScope,
    EpisodeOutcome,
    LeadDiscipline,
)


class AssessmentRecorded(Event):
    event_type = "assessment.recorded"
    topic = Topic.EPISODE

    assessment_id: UUID
    kind: AssessmentKind
    recorded_at: AwareDatetime
    recorded_by_staff_id: UUID
    visit_id: UUID | None = None
    observations: Observations | None = None
    news2_score: Annotated[int, Field(ge=0, le=20)] | None = None
    clinical_frailty_scale: Annotated[int, Field(ge=1, le=9)] | None = None
    summary: FreeText = ""
    serious_concern: bool = False


class CarePlanAgreed(Event):
    event_type = "care-plan.agreed"
    topic = Topic.EPISODE

    care_plan_id: UUID
    agreed_at: AwareDatetime
    agreed_by_staff_id: UUID
    visits: Annotated[list[RecurringVisit], Field(min_length=1)]
    declined: list[FreeText] = []
    """Visits the person declined (e.g. a midday visit): recorded and never planned."""


class CarePlanUpdated(Event):
    """The care plan changed (a coordinator or hub clinician agreed a proposed change): its visits are
    made again from now on."""

    event_type = "care-plan.updated"
    topic = Topic.EPISODE

    care_plan_id: UUID
    updated_at: AwareDatetime
    updated_by_staff_id: UUID | None = None
    """The member of staff who agreed it, when their sign-in names one (a hub clinician's may not)."""
    updated_by: ShortText | None = None
    """Who agreed it, for display."""
    visits: list[RecurringVisit]
    declined: list[FreeText] = []
    reason: FreeText = ""
    proposal_id: UUID | None = None
    """The proposed change this update agrees, if any."""
    proposed_by_staff_id: UUID | None = None
    """Who proposed it (they are told it was agreed)."""


class ConsentRecorded(Event):
    event_type = "consent.recorded"
    topic = Topic.EPISODE

    consent_id: UUID
    scope: ConsentScope
    recorded_at: AwareDatetime
    recorded_by_staff_id: UUID | None = None
    family_contact_id: UUID | None = None


class ConsentWithdrawn(Event):
    event_type = "consent.withdrawn"
    topic = Topic.EPISODE

    consent_id: UUID
    scope: ConsentScope
    withdrawn_at: AwareDatetime


class LeadDisciplineTransferred(Event):
    event_type = "lead-discipline.transferred"
    topic = Topic.EPISODE

    from_discipline: LeadDiscipline
    to_discipline: LeadDiscipline
    transferred_at: AwareDatetime
    transferred_by_staff_id: UUID | None = None
    transferred_by: ShortText | None = None
    reason: FreeText = ""

    @model_validator(mode="after")
    def _is_a_change(self) -> LeadDisciplineTransferred:
        if self.from_discipline == self.to_discipline:
            raise ValueError("to_discipline must differ from from_discipline")
        return self


class OnwardReferralMade(Event):
    event_type = "onward-referral.made"
    topic = Topic.EPISODE

    onward_referral_id: UUID
    service: ShortText
    made_at: AwareDatetime
    made_by_staff_id: UUID
    reason: FreeText = ""
    wanted_from: date | None = None


class EpisodeClosed(Event):
    """The episode ends with an outcome, by its lead clinician or the hub (scheduling is the one producer):
    its open visits are cancelled and the access that came from it ends."""

    event_type = "episode.closed"
    topic = Topic.EPISODE

    closed_at: AwareDatetime
    outcome: EpisodeOutcome
    closed_by_staff_id: UUID | None = None
    closed_by: ShortText | None = None
    """Who closed it, for display (e.g. "Ruth Ellis")."""
    summary: FreeText = ""
    recommendation_id: UUID | None = None
    """The discharge recommendation it was closed from, if any."""


class CarePlanChangeProposed(Event):
    """A clinician at the visit proposes a change to the care plan; a coordinator agrees it (care-plan.updated)."""

    event_type = "care-plan.change-proposed"
    topic = Topic.EPISODE

    proposal_id: UUID
    care_plan_id: UUID | None = None
    proposed_at: AwareDatetime
    proposed_by_staff_id: UUID
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    visits: list[RecurringVisit] = []
    declined: list[FreeText] = []


class CarePlanChangeDeclined(Event):
    """A coordinator or hub clinician declines a proposed care plan change, with a reason; the plan stays as it is."""

    event_type = "care-plan.change-declined"
    topic = Topic.EPISODE

    proposal_id: UUID
    declined_at: AwareDatetime
    declined_by_staff_id: UUID | None = None
    declined_by: ShortText | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    proposed_by_staff_id: UUID
    """Who proposed it (they are told why not)."""


class DischargeRecommended(Event):
    """The clinician recommends ending the episode with this outcome; the hub or coordinator closes it (episode.closed)."""

    event_type = "discharge.recommended"
    topic = Topic.EPISODE

    recommendation_id: UUID
    recommended_at: AwareDatetime
    recommended_by_staff_id: UUID
    outcome: EpisodeOutcome
    summary: FreeText = ""
