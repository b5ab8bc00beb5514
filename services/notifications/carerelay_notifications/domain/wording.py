"""What each message says, by template: plain words, local times, and no more about the person than
the recipient needs (a family message never names the patient; staff messages name visits by id)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from uuid import UUID

from carerelay_contract.vocabulary import MissedVisitReason, NotificationAudience, ResponseTier


def local(moment: datetime, zone: tzinfo) -> str:
    """A moment as people read it, in local time: "Monday 05 January at 09:30"."""
    return f"{moment.astimezone(zone):%A %d %B at %H:%M}"


# ---------------------------------------------------------------- field staff


def staff_subject(urgent: bool) -> str:
    return "Urgent: a visit added to your round" if urgent else "Your visits have changed"


def visit_assigned(visit_id: UUID, when: str, urgent: bool) -> str:
    if urgent:
        return f"Urgent visit added to your round, planned for {when} (visit {visit_id})."
    return f"New visit assigned to you, planned for {when} (visit {visit_id})."


def visit_rescheduled(when: str, was: str, reason: str) -> str:
    return f"A visit on your round has moved to {when} (was {was}): {reason}."


def visit_cancelled(when: str, reason: str) -> str:
    return f"A visit on your round ({when}) is cancelled: {reason}."


# ---------------------------------------------------------------- patients and families

WHO_IS_COMING = "Who is coming and when"
RUNNING_LATE = "Your visit is running late"


def who_is_coming(discipline: str, when: str) -> dict[NotificationAudience, str]:
    return {
        NotificationAudience.PATIENT: f"Your {discipline} visit from the community team is planned for {when}.",
        NotificationAudience.FAMILY: f"A {discipline} visit from the community team is planned for {when}.",
    }


def running_late(discipline: str, minutes_late: int, expected: str) -> dict[NotificationAudience, str]:
    late = f"{minutes_late} minutes late"
    return {
        NotificationAudience.PATIENT: f"Your {discipline} visit is running about {late}; expected around {expected}.",
        NotificationAudience.FAMILY: f"Today's {discipline} visit is running about {late}; expected around {expected}.",
    }


# ---------------------------------------------------------------- the hub and coordinators


def hub_subject(template: str) -> str:
    return f"CareRelay: {template}"


def visit_missed(reason: MissedVisitReason) -> str:
    why = "no access to the home" if reason is MissedVisitReason.NO_ACCESS else reason.value.replace("-", " ")
    return f"A visit was missed: {why}."


def visit_unassignable(reason: str) -> str:
    return f"A visit could not be assigned to anyone: {reason}."


def clock_at_risk(tier: ResponseTier, deadline: str, why: str) -> str:
    return f"A {tier.value} response is at risk: due by {deadline} ({why})."


def clock_breached(tier: ResponseTier, deadline: str) -> str:
    return f"A {tier.value} response missed its deadline of {deadline}."


def clinical_alert(finding: str) -> str:
    return f"A {finding} was recorded at a visit."


DISCHARGE_SUMMARY_FAILED = "The GP's discharge summary could not be made."


def message_failed(channel: str, audience: str, template: str, attempts: int, reason: str) -> str:
    return (
        f"A {channel} message to the {audience} ({template}) could not be delivered "
        f"after {attempts} attempts: {reason}. Please follow it up."
    )


def dead_letter(original_topic: str, consumer: str, reason: str) -> str:
    return f"A message on {original_topic} could not be processed by {consumer} and was set aside: {reason}."


# ---------------------------------------------------------------- GPs and referrers

DISCHARGE_SUMMARY = "Discharge summary"
URGENT_CLINICAL_UPDATE = "Urgent clinical update"


def discharge_summary(outcome: str, visits: int) -> str:
    return f"Discharge summary: {outcome}, {visits} visits (FHIR document Bundle)."


def urgent_clinical_update(finding: str) -> str:
    return f"Urgent: a {finding} was recorded at a home visit."


REFERRAL_DECIDED = "Your referral"


def referral_accepted() -> str:
    return "Your referral was accepted by the community hub: the team will be in touch."


def referral_rejected(reason: str) -> str:
    return f"Your referral was not accepted by the community hub: {reason.rstrip('.')}."
