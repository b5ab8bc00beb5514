"""What the GP's messages are made of: the person and what happened in the episode, as the service
gathered it from the events it consumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from carerelay_contract.episode import AssessmentRecorded
from carerelay_contract.vocabulary import EpisodeOutcome

NEWS2_EMERGENCY = 7
"""A NEWS2 total at or above this calls for an emergency response."""


@dataclass(frozen=True)
class PatientFacts:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    address: str
    postcode: str
    gp_practice_code: str


@dataclass(frozen=True)
class VisitMade:
    visit_id: UUID
    at: datetime
    discipline: str | None = None
    tasks_done: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssessmentMade:
    assessment_id: UUID
    kind: str
    recorded_at: datetime
    news2_score: int | None = None
    clinical_frailty_scale: int | None = None
    summary: str = ""
    serious_concern: bool = False

    @property
    def news2_emergency(self) -> bool:
        return self.news2_score is not None and self.news2_score >= NEWS2_EMERGENCY

    @classmethod
    def of(cls, event: AssessmentRecorded) -> AssessmentMade:
        return cls(
            assessment_id=event.assessment_id,
            kind=event.kind.value,
            recorded_at=event.recorded_at,
            news2_score=event.news2_score,
            clinical_frailty_scale=event.clinical_frailty_scale,
            summary=event.summary,
            serious_concern=event.serious_concern,
        )


@dataclass(frozen=True)
class OnwardReferral:
    onward_referral_id: UUID
    service: str
    made_at: datetime
    reason: str = ""
    wanted_from: date | None = None


@dataclass(frozen=True)
class EpisodeSummary:
    episode_id: UUID
    patient: PatientFacts
    started_at: datetime
    closed_at: datetime
    outcome: EpisodeOutcome
    summary: str = ""
    visits: tuple[VisitMade, ...] = ()
    assessments: tuple[AssessmentMade, ...] = ()
    onward_referrals: tuple[OnwardReferral, ...] = ()
    include_assessments: bool = True
    """False when the person has not agreed to professional sharing: the GP gets the outcome, the
    visits and onward referrals, but not the assessments."""


@dataclass(frozen=True)
class Referred:
    """The person as their referral named them: when it was received, and whether they agreed to
    professional sharing then."""

    patient: PatientFacts
    received_at: datetime
    consent_to_share: bool


@dataclass(frozen=True)
class EpisodeRecord:
    """What happened in the episode, as it arrived: completed visits, assessments, onward referrals."""

    visits: tuple[VisitMade, ...] = ()
    assessments: tuple[AssessmentMade, ...] = ()
    onward_referrals: tuple[OnwardReferral, ...] = ()
