"""The v1 event catalogue: every event CareRelay's services exchange, in one index.

The types themselves live by topic (`referral`, `triage`, `episode`, `visit`, `hospital`,
`notification`); each names its CloudEvents type and its topic. This module lists them all, finds
a class by its CloudEvents type and says which types travel on a topic.
"""

from __future__ import annotations

from .episode import (
    AssessmentRecorded,
    CarePlanAgreed,
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


def events_on(*topics: Topic) -> tuple[type[Event], ...]:
    """Every type that travels on these topics, in catalogue order."""
    return tuple(cls for cls in CATALOGUE if cls.topic in topics)
