"""What the clinician app sends for each action. Every body says when the action was taken on the
phone (`at`; offline actions arrive later), and refuses fields it does not know."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from carerelay_contract.model import FreeText, ShortText
from carerelay_contract.parts import Observations, RecurringVisit
from carerelay_contract.vocabulary import ConsentScope, EpisodeOutcome, LeadDiscipline, MissedVisitReason

CLOCK_SKEW = timedelta(minutes=5)
"""A phone's clock may run a little fast; an action further in the future than this is refused."""
OLDEST_ACTION = timedelta(days=2)
"""An action queued offline for longer than this is refused (the record would be out of time)."""

NonEmptyText = Annotated[str, Field(min_length=1, max_length=4000)]


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class FieldAction(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    at: AwareDatetime | None = None
    """When the action was taken on the phone; the server's time when absent."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: object) -> object:
        if _has_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data

    @field_validator("at")
    @classmethod
    def _at_is_plausible(cls, at: datetime | None) -> datetime | None:
        if at is not None:
            now = datetime.now(UTC)
            if at > now + CLOCK_SKEW:
                raise ValueError("must not be in the future")
            if at < now - OLDEST_ACTION:
                raise ValueError("is more than two days ago")
        return at

    def taken_at(self) -> datetime:
        return self.at or datetime.now(UTC)


class EnRoute(FieldAction):
    expected_arrival: AwareDatetime | None = None


class Arrived(FieldAction):
    pass


class ObservationsTaken(FieldAction):
    observations: Observations


class AssessmentForm(FieldAction):
    """An assessment form (NEWS2 observations have their own action)."""

    kind: Literal["initial", "review", "falls-risk", "clinical-frailty-scale"]
    summary: Annotated[FreeText, Field(validate_default=True)] = ""
    clinical_frailty_scale: Annotated[int | None, Field(ge=1, le=9, validate_default=True)] = None
    falls_risk: Annotated[Literal["low", "moderate", "high"] | None, Field(validate_default=True)] = None
    serious_concern: bool = False

    @field_validator("summary")
    @classmethod
    def _summary_for_initial_and_review(cls, summary: str, info: ValidationInfo) -> str:
        if info.data.get("kind") in ("initial", "review") and not summary:
            raise ValueError("required for an initial or review assessment")
        return summary

    @field_validator("clinical_frailty_scale")
    @classmethod
    def _score_for_cfs(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("kind") == "clinical-frailty-scale" and value is None:
            raise ValueError("required for a Clinical Frailty Scale assessment (1-9)")
        return value

    @field_validator("falls_risk")
    @classmethod
    def _risk_for_falls(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind") == "falls-risk" and value is None:
            raise ValueError("required for a falls risk assessment")
        return value


class Note(FieldAction):
    text: NonEmptyText


class RunningLate(FieldAction):
    expected_arrival: AwareDatetime


class Missed(FieldAction):
    reason: MissedVisitReason
    notes: FreeText = ""


class Completed(FieldAction):
    tasks_done: Annotated[list[ShortText], Field(max_length=30)] = []
    notes: FreeText = ""
    concerns: FreeText = ""


class ConsentGiven(FieldAction):
    scope: ConsentScope
    family_contact_id: UUID | None = None


class ConsentWithdrawal(FieldAction):
    scope: ConsentScope


class CarePlanProposal(FieldAction):
    reason: NonEmptyText
    visits: Annotated[list[RecurringVisit], Field(max_length=12)] = []
    declined: Annotated[list[FreeText], Field(max_length=12)] = []


class LeadTransfer(FieldAction):
    to_discipline: LeadDiscipline
    reason: FreeText = ""


class OnwardReferral(FieldAction):
    service: ShortText
    reason: FreeText = ""
    wanted_from: date | None = None


class DischargeRecommendation(FieldAction):
    outcome: EpisodeOutcome
    summary: FreeText = ""


class EpisodeClosure(FieldAction):
    """Closing the episode: with an outcome, or from a discharge recommendation (whose outcome and summary
    are taken unless given here)."""

    outcome: EpisodeOutcome | None = None
    summary: FreeText = ""
    recommendation_id: UUID | None = None

    @model_validator(mode="after")
    def _outcome_or_recommendation(self) -> EpisodeClosure:
        if self.outcome is None and self.recommendation_id is None:
            raise ValueError("outcome: required unless the episode is closed from a discharge recommendation (recommendation_id)")
        return self
