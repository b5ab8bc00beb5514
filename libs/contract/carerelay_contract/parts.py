"""The parts events share: the referrer, the patient and their contact preferences, observations,
family contacts, time windows and the lines of a care plan. NHS numbers are Modulus 11 checked.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from carerelay_clinical.news2 import Acvpu
from carerelay_clinical.nhs_number import NhsNumber

from .model import Minutes, Model, ShortText
from .vocabulary import (
    PreferredChannel,
    ReferrerRole,
    VisitPurpose,
)


class Referrer(Model):
    role: ReferrerRole
    organisation: ShortText
    name: ShortText | None = None
    callback_number: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")]
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")] | None = None
    """Where the referrer is told of the hub's decision (e.g. a practice's nhs.net mailbox); without it, a
    mobile call-back number gets an SMS, and any other the hub calls back."""


class ContactPreferences(Model):
    """How a person wants to be told about their visits. Optional everywhere; held only by the service
    that messages people (notifications), never put in logs, spans or metric labels."""

    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")] | None = None
    mobile: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")] | None = None
    preferred_channel: PreferredChannel = PreferredChannel.NONE


class Patient(Model):
    nhs_number: NhsNumber
    given_name: ShortText
    family_name: ShortText
    date_of_birth: date
    address: Annotated[str, Field(min_length=1, max_length=400)]
    postcode: Annotated[str, Field(pattern=r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$")]
    gp_practice_code: Annotated[str, Field(pattern=r"^[A-Z][0-9]{5}$")]
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    contact: ContactPreferences | None = None
    """How the person wants to be told who is coming and when (none: not messaged)."""

    @model_validator(mode="after")
    def _born_in_the_past(self) -> Patient:
        if self.date_of_birth > date.today():
            raise ValueError("date_of_birth is in the future")
        return self


class Observations(Model):
    """NEWS2 inputs (Royal College of Physicians). Ranges reject what a body cannot have."""

    respiration_rate: Annotated[int, Field(ge=0, le=80)]
    spo2_percent: Annotated[int, Field(ge=40, le=100)]
    spo2_scale: Literal[1, 2] = 1
    on_supplemental_oxygen: bool
    systolic_bp: Annotated[int, Field(ge=30, le=300)]
    pulse: Annotated[int, Field(ge=20, le=250)]
    consciousness: Acvpu
    temperature_celsius: Annotated[float, Field(ge=25, le=45)]
    taken_at: AwareDatetime | None = None


class FamilyContact(Model):
    contact_id: UUID
    relationship: ShortText
    may_be_told_plan: bool = False
    contact: ContactPreferences | None = None
    """How the family member wants to be told; used only while the patient permits (family-involvement)."""


class TimeWindow(Model):
    start: time
    end: time

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError("a time window must end after it starts")
        return self


class RecurringVisit(Model):
    """One line of a care plan, e.g. a carer twice a day, morning and evening, for 5 weeks."""

    discipline: Annotated[str, Field(min_length=1, max_length=60)]
    purpose: VisitPurpose = VisitPurpose.CARE
    preferred_windows: Annotated[list[TimeWindow], Field(min_length=1, max_length=4)]
    duration_minutes: Minutes
    required_skills: list[Annotated[str, Field(max_length=60)]] = []
    double_handed: bool = False
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> RecurringVisit:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self
