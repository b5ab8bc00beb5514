"""What each message says, by template: plain words, local times, and no more about the person than
the recipient needs (a family message never names the patient; staff messages name visits by id)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from uuid import UUID

from carerelay_contract.vocabulary import EpisodeOutcome, MissedVisitReason, NotificationAudience, ResponseTier


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


def care_plan_change_agreed(reason: str) -> str:
    return f"The care plan change you proposed is agreed ({reason}); the visits follow the new plan from now on."


def care_plan_change_declined(by: str, reason: str) -> str:
    return f"The care plan change you proposed was declined by {by}: {reason}. The plan stays as it was."


# ---------------------------------------------------------------- patients and families

WHO_IS_COMING = "Who is coming and when"
RUNNING_LATE = "Your visit is running late"
ON_THE_WAY = "Your visitor is on the way"


def on_the_way(discipline: str, expected: str | None) -> dict[NotificationAudience, str]:
    around = f", expected around {expected}" if expected else ""
    return {
        NotificationAudience.PATIENT: f"Your {discipline} from the community team is on the way{around}.",
        NotificationAudience.FAMILY: f"Today's {discipline} visit from the community team is on the way{around}.",
    }


def who_is_coming(discipline: str, when: str) -> dict[NotificationAudience, str]:
    return {
        NotificationAudience.PATIENT: f"Your {discipline} visit from the community team is planned for {when}.",
        NotificationAudience.FAMILY: f"A {discipline} visit from the community team is planned for {when}.",
    }


CARE_ENDED = "Your care from the community team"

ENDED_BECAUSE: dict[EpisodeOutcome, str] = {
    EpisodeOutcome.NO_FURTHER_SERVICES: "no further services are needed",
    EpisodeOutcome.ONGOING_CARE_PACKAGE: "an ongoing package of care takes over",
    EpisodeOutcome.ADMITTED_TO_HOSPITAL: "after the admission to hospital",
    EpisodeOutcome.COMMUNITY_BED: "care continues in a community bed",
    EpisodeOutcome.LONG_TERM_RESIDENTIAL_CARE: "care continues in residential care",
    EpisodeOutcome.TRANSFERRED_TO_OTHER_SERVICE: "another service takes over",
    EpisodeOutcome.DECLINED_SERVICE: "the service was declined",
}
"""Why care ended, in the person's words; a death is never announced by message (the team calls the family)."""


def care_ended(outcome_words: str) -> dict[NotificationAudience, str]:
    return {
        NotificationAudience.PATIENT: f"Your care from the community team has now ended ({outcome_words}). "
        "Any visits still planned are cancelled.",
        NotificationAudience.FAMILY: f"Care from the community team has now ended ({outcome_words}). "
        "Any visits still planned are cancelled.",
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


def discharge_recommended(outcome_words: str, summary: str) -> str:
    said = f" ({summary})" if summary else ""
    return f"Discharge recommended: {outcome_words}{said}. Close the episode from its referral page, or follow it up."


def care_plan_change_proposed(reason: str, lines: int) -> str:
    visits = f"{lines} visit line{'s' if lines != 1 else ''} proposed" if lines else "no visits given: set them when agreeing"
    return f"A care plan change is proposed: {reason} ({visits}). Agree or decline it in the coordinator view."


def admitted(hospital: str, ward: str | None) -> str:
    where = f"{hospital}, {ward}" if ward else hospital
    return f"Admitted to hospital ({where}): the visits not yet under way are cancelled, and none are made until discharge."


def discharged(hospital: str) -> str:
    return f"Discharged from {hospital}: a reassessment by the lead is planned within a day; visits resume after it."


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


def call_the_referrer_back(number: str, organisation: str, decision: str) -> str:
    said = f"the referral was {decision}"
    return f"Call the referrer back on {number} ({organisation}) to tell them {said}: no message can reach them."
