"""Visits: planned, assigned, rescheduled, cancelled and what happened (topic carerelay.visit.v1).
Produced by the scheduling service.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from .model import Event, FreeText, Minutes, ShortText
from .topics import Topic
from .vocabulary import (
    MissedVisitReason,
    VisitPurpose,
)


class VisitPlanned(Event):
    event_type = "visit.planned"
    topic = Topic.VISIT

    visit_id: UUID
    purpose: VisitPurpose
    discipline: Annotated[str, Field(min_length=1, max_length=60)]
    earliest_start: AwareDatetime
    latest_start: AwareDatetime
    duration_minutes: Minutes
    required_skills: list[Annotated[str, Field(max_length=60)]] = []
    double_handed: bool = False
    deadline: AwareDatetime | None = None
    care_plan_id: UUID | None = None

    @model_validator(mode="after")
    def _window_is_open(self) -> VisitPlanned:
        if self.latest_start < self.earliest_start:
            raise ValueError("latest_start is before earliest_start")
        return self


class VisitAssigned(Event):
    event_type = "visit.assigned"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID
    planned_start: AwareDatetime
    pinned: bool = False
    why: list[ShortText] = []
    """Why this person: travel added, continuity, skill (for the coordinator view)."""


class VisitRescheduled(Event):
    event_type = "visit.rescheduled"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID
    planned_start: AwareDatetime
    previous_start: AwareDatetime
    reason: ShortText


class VisitCancelled(Event):
    event_type = "visit.cancelled"
    topic = Topic.VISIT

    visit_id: UUID
    cancelled_at: AwareDatetime
    reason: ShortText


class VisitEnRoute(Event):
    event_type = "visit.en-route"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID
    at: AwareDatetime
    expected_arrival: AwareDatetime | None = None


class VisitStarted(Event):
    event_type = "visit.started"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID
    at: AwareDatetime


class VisitCompleted(Event):
    event_type = "visit.completed"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID
    at: AwareDatetime
    tasks_done: list[ShortText] = []
    notes: FreeText = ""
    concerns: FreeText = ""


class VisitMissed(Event):
    event_type = "visit.missed"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID | None = None
    at: AwareDatetime
    reason: MissedVisitReason
    notes: FreeText = ""


class VisitRunningLate(Event):
    event_type = "visit.running-late"
    topic = Topic.VISIT

    visit_id: UUID
    staff_id: UUID
    at: AwareDatetime
    expected_arrival: AwareDatetime
    minutes_late: Annotated[int, Field(ge=1, le=24 * 60)]


class VisitUnassignable(Event):
    """The planner could not give a visit to anyone: why (no one with the skill on shift, the deadline
    cannot be met, no capacity in the window). The hub and the team's coordinator are told."""

    event_type = "visit.unassignable"
    topic = Topic.VISIT

    visit_id: UUID
    reason: ShortText
    at: AwareDatetime
    urgent: bool = False
