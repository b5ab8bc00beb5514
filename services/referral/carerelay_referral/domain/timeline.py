"""One line for each thing that happened in an episode, for the hub's timeline: ids, times and
decisions, never the person's name, NHS number or address."""

from __future__ import annotations

from carerelay_contract.episode import EpisodeClosed, LeadDisciplineTransferred
from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralReceived, ReferralRejected, ReferralUpdated
from carerelay_contract.triage import (
    ResponseClockAtRisk,
    ResponseClockBreached,
    ResponseClockMet,
    TriageCompleted,
    TriageOverridden,
)
from carerelay_contract.visit import (
    VisitAssigned,
    VisitCancelled,
    VisitCompleted,
    VisitMissed,
    VisitPlanned,
    VisitRescheduled,
    VisitRunningLate,
    VisitStarted,
)


def _time(value: object) -> str:
    return f"{value:%d %b %H:%M}" if value is not None else ""


def summarise(event: Event) -> str:
    match event:
        case ReferralReceived():
            return f"Referral received ({event.route.value}; needs: {', '.join(n.value for n in event.presenting_needs)})"
        case ReferralAccepted():
            return f"Accepted by {event.accepted_by}"
        case ReferralRejected():
            return f"Rejected by {event.rejected_by}: {event.reason}"
        case ReferralUpdated():
            return "More information added" + (f" by {event.updated_by}" if event.updated_by else "")
        case ReferralCancelled():
            return f"Cancelled: {event.reason}"
        case TriageCompleted():
            return (
                f"Triage: {event.tier.value}, {event.lead_discipline.value} lead, first contact by "
                f"{_time(event.first_contact_deadline)} (rules: {', '.join(event.rules_fired)})"
            )
        case TriageOverridden():
            decision = f"{event.tier.value}, {event.lead_discipline.value} lead"
            return f"Triage overridden by {event.overridden_by}: {decision} ({event.reason})"
        case ResponseClockAtRisk():
            return f"Response clock at risk ({event.why})"
        case ResponseClockBreached():
            return f"Response deadline {_time(event.deadline)} breached"
        case ResponseClockMet():
            return f"First contact made in {event.minutes_to_first_contact} minutes"
        case VisitPlanned():
            return f"{event.purpose.value.capitalize()} visit planned ({event.discipline})"
        case VisitAssigned():
            return f"Visit assigned, planned for {_time(event.planned_start)}"
        case VisitRescheduled():
            return f"Visit moved to {_time(event.planned_start)} ({event.reason})"
        case VisitCancelled():
            return f"Visit cancelled ({event.reason})"
        case VisitStarted():
            return "Visit started: first contact"
        case VisitCompleted():
            return "Visit completed"
        case VisitMissed():
            return f"Visit missed ({event.reason.value})"
        case VisitRunningLate():
            return f"Running {event.minutes_late} minutes late"
        case LeadDisciplineTransferred():
            return f"Lead handed from {event.from_discipline.value} to {event.to_discipline.value}"
        case EpisodeClosed():
            return f"Episode closed: {event.outcome.value}"
    return event.event_type
