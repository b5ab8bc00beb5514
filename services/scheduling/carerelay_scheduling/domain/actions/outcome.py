"""What an action is applied to, and what it gives back: the events to publish, the changes to the
records, and the action's own part of the answer. An action that cannot be recorded as asked raises
Invalid (a body field at fault: 422) or Conflict (the record's state forbids it: 409)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from carerelay_contract.model import Event
from carerelay_contract.parts import RecurringVisit
from carerelay_contract.vocabulary import ConsentScope, LeadDiscipline
from carerelay_contract.vocabulary import EpisodeOutcome as Outcome


class Invalid(ValueError):
    """The body asks for something no record can hold; `field` is the body field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Conflict(Exception):
    """The record's state forbids the action; `reason` says so in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Clinician:
    """Who takes the action: their staff id (the token's) and name (for display, e.g. "transferred by")."""

    staff_id: UUID
    name: str | None = None


@dataclass(frozen=True)
class Visit:
    """A visit as a clinician records on it: its state, who holds it, and the notes recorded so far."""

    visit_id: UUID
    episode_id: UUID
    status: str
    staff_id: UUID | None
    second_staff_id: UUID | None
    planned_start: datetime | None
    latest_start: datetime
    notes: tuple[str, ...] = ()

    @property
    def holders(self) -> frozenset[UUID]:
        return frozenset(staff for staff in (self.staff_id, self.second_staff_id) if staff is not None)


RecordColumn = Literal[
    "en_route_at",
    "expected_arrival",
    "arrived_at",
    "running_late_minutes",
    "completed_at",
    "missed_at",
    "missed_reason",
    "tasks_done",
    "concerns",
    "news2_score",
    "news2_band",
]


@dataclass(frozen=True)
class RecordChange:
    """What an action writes on the visit's record: the columns it sets (None clears one) and the notes
    it adds to those already there."""

    sets: Mapping[RecordColumn, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """An assessment taken at a visit: NEWS2 observations or a form."""

    assessment_id: UUID
    episode_id: UUID
    visit_id: UUID
    staff_id: UUID
    kind: str
    recorded_at: datetime
    summary: str
    serious_concern: bool
    observations: dict[str, Any] | None = None
    news2_score: int | None = None
    news2_band: str | None = None
    clinical_frailty_scale: int | None = None


@dataclass(frozen=True)
class VisitOutcome:
    events: list[Event]
    record: RecordChange
    assessment: Assessment | None = None
    answer: dict[str, Any] = field(default_factory=dict)


class Decision(StrEnum):
    """How a proposed care plan change was decided."""

    AGREED = "agreed"
    DECLINED = "declined"


@dataclass(frozen=True)
class Proposal:
    proposal_id: UUID
    episode_id: UUID
    care_plan_id: UUID | None
    """The plan in force when it was proposed (none: the change would start one)."""
    reason: str
    visits: tuple[RecurringVisit, ...]
    declined: tuple[str, ...]
    proposed_at: datetime
    proposed_by: UUID
    decision: Decision | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Recommendation:
    """A clinician's discharge recommendation, kept so that the episode can be closed from it."""

    recommendation_id: UUID
    outcome: Outcome
    summary: str
    recommended_at: datetime
    recommended_by: UUID


@dataclass(frozen=True)
class Closure:
    """How an episode ended: once, with an outcome."""

    outcome: Outcome
    summary: str
    closed_at: datetime
    closed_by: UUID | None
    """Their staff id, when their sign-in names one (a hub clinician's may not)."""
    closed_by_name: str | None = None
    recommendation_id: UUID | None = None


@dataclass(frozen=True)
class Episode:
    """What the episode actions need to know of an episode: its lead, its care plan, consent in force,
    whether the hub accepted it, its open visits and discharge recommendations, and its closure."""

    episode_id: UUID
    lead_discipline: LeadDiscipline | None
    care_plan_id: UUID | None
    """The active care plan, if there is one."""
    consents: Mapping[ConsentScope, UUID] = field(default_factory=dict)
    """The consent in force for each scope (the latest not withdrawn)."""
    accepted: bool = True
    open_visits: tuple[UUID, ...] = ()
    """Visits not yet under way (planned or assigned)."""
    recommendations: Mapping[UUID, Recommendation] = field(default_factory=dict)
    closure: Closure | None = None

    @property
    def closed(self) -> bool:
        return self.closure is not None


@dataclass(frozen=True)
class Consent:
    consent_id: UUID
    scope: ConsentScope
    family_contact_id: UUID | None
    recorded_at: datetime
    recorded_by: UUID


@dataclass(frozen=True)
class EpisodeChange:
    """What an episode action writes: a consent given or withdrawn, a new lead discipline, a care plan
    change proposed or a discharge recommendation (each kept, to be decided), the episode closed (with the
    open visits it cancels)."""

    consent_given: Consent | None = None
    consent_withdrawn: tuple[UUID, datetime] | None = None
    """(consent id, when): the consent in force, withdrawn."""
    lead: LeadDiscipline | None = None
    recommended: Recommendation | None = None
    proposed: Proposal | None = None
    closed: Closure | None = None
    cancelled_visits: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class EpisodeOutcome:
    events: list[Event]
    change: EpisodeChange = field(default_factory=EpisodeChange)
    answer: dict[str, Any] = field(default_factory=dict)
