"""One line for each thing that happened in an episode, for the hub's timeline: ids, times and
decisions, never the person's name, NHS number or address."""

from __future__ import annotations

from carerelay_contract import episode, hospital, referral, triage, visit
from carerelay_contract.model import Event


def _time(value: object) -> str:
    return f"{value:%d %b %H:%M}" if value is not None else ""


def summarise(event: Event) -> str:
    """The timeline's line for `event`; a type with no words of its own is named by its type."""
    match event:
        case referral.ReferralReceived():
            return f"Referral received ({event.route.value}; needs: {', '.join(n.value for n in event.presenting_needs)})"
        case referral.ReferralAccepted():
            return f"Accepted by {event.accepted_by}"
        case referral.ReferralRejected():
            return f"Rejected by {event.rejected_by}: {event.reason}"
        case referral.ReferralUpdated():
            return "More information added" + (f" by {event.updated_by}" if event.updated_by else "")
        case referral.ReferralCancelled():
            return "Cancelled" + (f" by {event.cancelled_by}" if event.cancelled_by else "") + f": {event.reason}"
        case triage.TriageCompleted():
            return (
                f"Triage: {event.tier.value}, {event.lead_discipline.value} lead, first contact by "
                f"{_time(event.first_contact_deadline)} (rules: {', '.join(event.rules_fired)})"
            )
        case triage.TriageOverridden():
            decision = f"{event.tier.value}, {event.lead_discipline.value} lead"
            return f"Triage overridden by {event.overridden_by}: {decision} ({event.reason})"
        case triage.ResponseClockAtRisk():
            return f"Response clock at risk ({event.why})"
        case triage.ResponseClockBreached():
            return f"Response deadline {_time(event.deadline)} breached"
        case triage.ResponseClockMet():
            return f"First contact made in {event.minutes_to_first_contact} minutes"
        case visit.VisitPlanned():
            return f"{event.purpose.value.capitalize()} visit planned ({event.discipline})"
        case visit.VisitAssigned():
            return f"Visit assigned, planned for {_time(event.planned_start)}"
        case visit.VisitRescheduled():
            return f"Visit moved to {_time(event.planned_start)} ({event.reason})"
        case visit.VisitCancelled():
            return f"Visit cancelled ({event.reason})"
        case visit.VisitStarted():
            return "Visit started: first contact"
        case visit.VisitCompleted():
            return "Visit completed"
        case visit.VisitMissed():
            return f"Visit missed ({event.reason.value})"
        case visit.VisitRunningLate():
            return f"Running {event.minutes_late} minutes late"
        case episode.LeadDisciplineTransferred():
            return f"Lead handed from {event.from_discipline.value} to {event.to_discipline.value}"
        case episode.CarePlanChangeProposed():
            return f"Care plan change proposed: {event.reason}"
        case episode.CarePlanUpdated():
            return "Care plan changed" + (f": {event.reason}" if event.reason else "")
        case episode.CarePlanChangeDeclined():
            return "Care plan change declined" + (f" by {event.declined_by}" if event.declined_by else "") + f": {event.reason}"
        case hospital.PatientAdmitted():
            return f"Admitted to hospital ({event.hospital}): visits paused"
        case hospital.PatientDischarged():
            return f"Discharged from {event.hospital}: reassessment before visits resume"
        case episode.DischargeRecommended():
            return f"Discharge recommended: {event.outcome.value}" + (f" ({event.summary})" if event.summary else "")
        case episode.EpisodeClosed():
            by = f" by {event.closed_by}" if event.closed_by else ""
            return f"Episode closed{by}: {event.outcome.value}" + (f" ({event.summary})" if event.summary else "")
    return event.event_type
