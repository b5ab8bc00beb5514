"""GPs (the registered practice, by signed webhook): an urgent FHIR Communication when a NEWS2
emergency or a serious concern is recorded, and the FHIR discharge summary when the episode closes."""

from __future__ import annotations

from typing import NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

from carerelay_contract.episode import AssessmentRecorded, EpisodeClosed
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

from .. import wording
from ..consent import Consents, professional_sharing_agreed
from ..fhir.checks import fhir_document
from ..fhir.discharge import discharge_bundle
from ..fhir.facts import AssessmentMade, EpisodeRecord, EpisodeSummary, PatientFacts, Referred
from ..fhir.urgent import urgent_communication
from ..messages import MessageRequest, Trigger
from ..reach import Reach
from .hub import alert_hub


def is_clinical_alert(event: AssessmentRecorded) -> bool:
    """A NEWS2 emergency or a serious concern: the GP and the hub are told at once."""
    return AssessmentMade.of(event).news2_emergency or event.serious_concern


def urgent_clinical_update(
    reach: Reach, event: AssessmentRecorded, patient: PatientFacts | None, trigger: Trigger, team: str | None
) -> list[MessageRequest]:
    """The hub is told in the app; the GP gets a FHIR Communication when the practice can be reached.
    Sent whatever the sharing consent: clinical safety comes first."""
    if not is_clinical_alert(event):
        return []
    assessment = AssessmentMade.of(event)
    finding = "NEWS2 emergency" if assessment.news2_emergency else "serious concern"
    wanted = alert_hub(
        reach, event.episode_id, "urgent-clinical-update", wording.clinical_alert(finding), trigger, urgent=True, team=team
    )
    if patient is None or not reach.reaches_gp(patient.gp_practice_code):
        return wanted
    message_id = uuid5(NAMESPACE_URL, f"{trigger.event_id}/gp-urgent")
    wanted.append(
        MessageRequest(
            event.episode_id,
            NotificationAudience.GP,
            NotificationChannel.WEBHOOK,
            patient.gp_practice_code,
            "urgent-clinical-update",
            wording.urgent_clinical_update(finding),
            wording.URGENT_CLINICAL_UPDATE,
            urgent=True,
            payload=urgent_communication(patient, event.episode_id, assessment, message_id, trigger.at),
        )
    )
    return wanted


class DischargeNotice(NamedTuple):
    """The messages an episode's closing causes, and why the summary could not be made (when it could
    not: a bug, never the GP's to receive; the hub follows it up)."""

    messages: list[MessageRequest]
    problems: list[str]


def discharge_bundle_id(episode_id: UUID) -> UUID:
    """The same id for the same episode's summary, however often it is made."""
    return uuid5(NAMESPACE_URL, f"{episode_id}/discharge-summary")


def episode_summary(event: EpisodeClosed, referred: Referred, record: EpisodeRecord, consents: Consents) -> EpisodeSummary:
    """Everything the discharge summary says; assessments only as professional sharing allows."""
    return EpisodeSummary(
        episode_id=event.episode_id,
        patient=referred.patient,
        started_at=referred.received_at,
        closed_at=event.closed_at,
        outcome=event.outcome,
        summary=event.summary,
        visits=record.visits,
        assessments=record.assessments,
        onward_referrals=record.onward_referrals,
        include_assessments=professional_sharing_agreed(consents, referred.consent_to_share),
    )


def discharge_summary(
    reach: Reach,
    event: EpisodeClosed,
    referred: Referred | None,
    record: EpisodeRecord,
    consents: Consents,
    trigger: Trigger,
    team: str | None,
) -> DischargeNotice:
    """The GP's discharge summary, when the referral was seen and the practice can be reached."""
    if referred is None or not reach.reaches_gp(referred.patient.gp_practice_code):
        return DischargeNotice([], [])
    summary = episode_summary(event, referred, record, consents)
    bundle, problems = fhir_document(discharge_bundle(summary, discharge_bundle_id(event.episode_id), trigger.at))
    if problems:
        failed = alert_hub(
            reach,
            event.episode_id,
            "discharge-summary-failed",
            wording.DISCHARGE_SUMMARY_FAILED,
            trigger,
            urgent=False,
            team=team,
        )
        return DischargeNotice(failed, problems)
    message = MessageRequest(
        event.episode_id,
        NotificationAudience.GP,
        NotificationChannel.WEBHOOK,
        summary.patient.gp_practice_code,
        "discharge-summary",
        wording.discharge_summary(event.outcome.value, len(summary.visits)),
        wording.DISCHARGE_SUMMARY,
        payload=bundle,
    )
    return DischargeNotice([message], [])
