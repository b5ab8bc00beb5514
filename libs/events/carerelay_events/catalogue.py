"""The v1 event catalogue: every event CareRelay's services exchange, as pydantic models.

Each event class names its CloudEvents type and its topic. Payloads carry the domain's words;
NHS numbers are Modulus 11 checked wherever they appear. Events are immutable facts: add optional
fields to evolve a type; a breaking change is a new type (v2) with an upcaster.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from .nhs_number import NhsNumber
from .topics import Topic
from .vocabulary import (
    Acvpu,
    AssessmentKind,
    CareSetting,
    ConsentScope,
    EpisodeOutcome,
    LeadDiscipline,
    MissedVisitReason,
    NotificationAudience,
    NotificationChannel,
    PreferredChannel,
    PresentingNeed,
    ReferralRoute,
    ReferrerRole,
    ResponseTier,
    VisitPurpose,
)

CE_TYPE_PREFIX = "uk.nhs.carerelay."

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
FreeText = Annotated[str, Field(max_length=4000)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Event(Model):
    """A fact about one episode of care. Subclasses set `event_type` and `topic`."""

    event_type: ClassVar[str]
    topic: ClassVar[Topic]

    episode_id: UUID

    @classmethod
    def ce_type(cls) -> str:
        return f"{CE_TYPE_PREFIX}{cls.event_type}.v1"

    def partition_key(self) -> str:
        """The Kafka record key: the episode id, so an episode's events stay in order."""
        return str(self.episode_id)


# ---------------------------------------------------------------- shared parts


class Referrer(Model):
    role: ReferrerRole
    organisation: ShortText
    name: ShortText | None = None
    callback_number: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")]


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


# ---------------------------------------------------------------- referral


class ReferralReceived(Event):
    event_type = "referral.received"
    topic = Topic.REFERRAL

    referral_id: UUID
    received_at: AwareDatetime
    route: ReferralRoute
    referrer: Referrer
    patient: Patient
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    presenting_needs: Annotated[list[PresentingNeed], Field(min_length=1)]
    known_risks: FreeText = ""
    access_notes: FreeText = ""
    consent_to_share: bool
    family_contact: FamilyContact | None = None
    observations: Observations | None = None
    clinical_frailty_scale: Annotated[int, Field(ge=1, le=9)] | None = None
    from_care_home: bool = False
    locality: ShortText | None = None
    """The locality the patient's postcode falls in, when the hub knows it."""
    team: ShortText | None = None
    """The team that covers that locality (who may see the person's record: docs/security.md)."""


class ReferralAccepted(Event):
    event_type = "referral.accepted"
    topic = Topic.REFERRAL

    referral_id: UUID
    accepted_at: AwareDatetime
    accepted_by: ShortText


class ReferralRejected(Event):
    event_type = "referral.rejected"
    topic = Topic.REFERRAL

    referral_id: UUID
    rejected_at: AwareDatetime
    rejected_by: ShortText
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ReferralUpdated(Event):
    """More information added to an open referral (e.g. a second call about the same person)."""

    event_type = "referral.updated"
    topic = Topic.REFERRAL

    referral_id: UUID
    updated_at: AwareDatetime
    updated_by: ShortText | None = None
    reason: FreeText | None = None
    presenting_needs: list[PresentingNeed] | None = None
    known_risks: FreeText | None = None
    access_notes: FreeText | None = None
    observations: Observations | None = None


class ReferralCancelled(Event):
    event_type = "referral.cancelled"
    topic = Topic.REFERRAL

    referral_id: UUID
    cancelled_at: AwareDatetime
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


# ---------------------------------------------------------------- triage and clocks


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


# ---------------------------------------------------------------- the episode


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
    event_type = "care-plan.updated"
    topic = Topic.EPISODE

    care_plan_id: UUID
    updated_at: AwareDatetime
    updated_by_staff_id: UUID
    visits: list[RecurringVisit]
    declined: list[FreeText] = []
    reason: FreeText = ""


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
    event_type = "episode.closed"
    topic = Topic.EPISODE

    closed_at: AwareDatetime
    outcome: EpisodeOutcome
    closed_by_staff_id: UUID | None = None
    summary: FreeText = ""


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


class DischargeRecommended(Event):
    """The clinician recommends ending the episode with this outcome; the hub or coordinator closes it (episode.closed)."""

    event_type = "discharge.recommended"
    topic = Topic.EPISODE

    recommendation_id: UUID
    recommended_at: AwareDatetime
    recommended_by_staff_id: UUID
    outcome: EpisodeOutcome
    summary: FreeText = ""


# ---------------------------------------------------------------- visits


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


# ---------------------------------------------------------------- hospital ADT


class _HospitalEvent(Event):
    episode_id: UUID | None = None  # type: ignore[assignment]
    hospital_encounter_id: ShortText
    nhs_number: NhsNumber
    hospital: ShortText
    ward: ShortText | None = None

    def partition_key(self) -> str:
        return str(self.episode_id) if self.episode_id else self.hospital_encounter_id


class PatientAdmitted(_HospitalEvent):
    event_type = "patient.admitted"
    topic = Topic.HOSPITAL_ADT

    admitted_at: AwareDatetime


class PatientDischarged(_HospitalEvent):
    event_type = "patient.discharged"
    topic = Topic.HOSPITAL_ADT

    discharged_at: AwareDatetime
    medically_fit_at: AwareDatetime | None = None


# ---------------------------------------------------------------- notifications


class NotificationRequested(Event):
    event_type = "notification.requested"
    topic = Topic.NOTIFICATION

    notification_id: UUID
    audience: NotificationAudience
    channel: NotificationChannel
    recipient_ref: ShortText
    """An opaque reference (staff id, contact id, endpoint id), never a name or number."""
    template: ShortText
    trigger_event_id: ShortText
    urgent: bool = False
    requested_at: AwareDatetime


class NotificationDelivered(Event):
    event_type = "notification.delivered"
    topic = Topic.NOTIFICATION

    notification_id: UUID
    channel: NotificationChannel
    delivered_at: AwareDatetime


class NotificationFailed(Event):
    event_type = "notification.failed"
    topic = Topic.NOTIFICATION

    notification_id: UUID
    channel: NotificationChannel
    failed_at: AwareDatetime
    reason: ShortText
    attempt: Annotated[int, Field(ge=1)]
    will_retry: bool


CATALOGUE: tuple[type[Event], ...] = (
    ReferralReceived,
    ReferralAccepted,
    ReferralRejected,
    ReferralUpdated,
    ReferralCancelled,
    TriageCompleted,
    TriageOverridden,
    ResponseClockAtRisk,
    ResponseClockBreached,
    ResponseClockMet,
    AssessmentRecorded,
    CarePlanAgreed,
    CarePlanUpdated,
    ConsentRecorded,
    ConsentWithdrawn,
    LeadDisciplineTransferred,
    OnwardReferralMade,
    EpisodeClosed,
    CarePlanChangeProposed,
    DischargeRecommended,
    VisitPlanned,
    VisitAssigned,
    VisitRescheduled,
    VisitCancelled,
    VisitEnRoute,
    VisitStarted,
    VisitCompleted,
    VisitMissed,
    VisitRunningLate,
    VisitUnassignable,
    PatientAdmitted,
    PatientDischarged,
    NotificationRequested,
    NotificationDelivered,
    NotificationFailed,
)

EVENT_TYPES: dict[str, type[Event]] = {cls.ce_type(): cls for cls in CATALOGUE}


def event_class(ce_type: str) -> type[Event] | None:
    """The catalogue's class for a CloudEvents type, or None when the type is unknown."""
    return EVENT_TYPES.get(ce_type)
