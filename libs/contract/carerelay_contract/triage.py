"""Triage decisions and the response clocks they start (topics carerelay.triage.v1 and
carerelay.response-clock.v1). Produced by the triage service.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from .model import Event, ShortText
from .topics import Topic
from .vocabulary import (
    CareSetting,
    LeadDiscipline,
    ReferralRoute,
    ResponseTier,
)


class TriageCompleted(Event):
    event_type = "triage.completed"
    topic = Topic.TRIAGE

    referral_id: UUID
    decided_at: AwareDatetime
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    route: ReferralRoute
    care_setting: CareSetting = CareSetting.HOME
    first_contact_deadline: AwareDatetime
    rules_version: ShortText
    rules_fired: list[ShortText]
    news2_score: Annotated[int, Field(ge=0, le=20)] | None = None
    advise_emergency_services: bool = False


class TriageOverridden(Event):
    event_type = "triage.overridden"
    topic = Topic.TRIAGE

    referral_id: UUID
    decided_at: AwareDatetime
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    first_contact_deadline: AwareDatetime
    overridden_by: ShortText
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ResponseClockAtRisk(Event):
    event_type = "response-clock.at-risk"
    topic = Topic.RESPONSE_CLOCK

    referral_id: UUID
    tier: ResponseTier
    deadline: AwareDatetime
    at: AwareDatetime
    why: ShortText


class ResponseClockBreached(Event):
    event_type = "response-clock.breached"
    topic = Topic.RESPONSE_CLOCK

    referral_id: UUID
    tier: ResponseTier
    deadline: AwareDatetime
    at: AwareDatetime


class ResponseClockMet(Event):
    event_type = "response-clock.met"
    topic = Topic.RESPONSE_CLOCK

    referral_id: UUID
    tier: ResponseTier
    deadline: AwareDatetime
    first_contact_at: AwareDatetime
    minutes_to_first_contact: Annotated[int, Field(ge=0)]
