"""The v1 event catalogue: every event CareRelay's services exchange, in one index.

The types themselves live by topic (`referral`, `triage`, `episode`, `visit`, `hospital`,
`notification`); each names its CloudEvents type and its topic. This module lists them all, finds
a class by its CloudEvents type and says which types travel on a topic.
"""

from __future__ import annotations

from .episode import (
    AssessmentRecorded,
    CarePlanAgreed,
    CarePlanChangeDeclined,
    CarePlanChangeProposed,
    CarePlanUpdated,
    ConsentRecorded,
    ConsentWithdrawn,
    DischargeRecommended,
    EpisodeClosed,
    LeadDisciplineTransferred,
    OnwardReferralMade,
)
from .hospital import PatientAdmitted, PatientDischarged
from .model import Event
from .notification import NotificationDelivered, NotificationFailed, NotificationRequested
from .referral import ReferralAccepted, ReferralCancelled, ReferralReceived, ReferralRejected, ReferralUpdated
from .topics import Topic
from .triage import ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet, TriageCompleted, TriageOverridden
from .visit import (
    VisitAssigned,
    VisitCancelled,
    VisitCompleted,
    VisitEnRoute,
    VisitMissed,
    VisitPlanned,
    VisitRescheduled,
    VisitRunningLate,
    VisitStarted,
    VisitUnassignable,
)

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
    CarePlanChangeDeclined,
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

PUBLISHED_FOR_INTEGRATORS: frozenset[type[Event]] = frozenset({NotificationRequested, NotificationDelivered, NotificationFailed})
"""Types no CareRelay service consumes: the record of each message to a person (asked for, delivered,
failed), published for integrators and the audit. Every other type has a producer and a consumer in
the services (tests/test_house.py)."""


def event_class(ce_type: str) -> type[Event] | None:
    """The catalogue's class for a CloudEvents type, or None when the type is unknown."""
    return EVENT_TYPES.get(ce_type)


def events_on(*topics: Topic) -> tuple[type[Event], ...]:
    """Every type that travels on these topics, in catalogue order."""
    return tuple(cls for cls in CATALOGUE if cls.topic in topics)
