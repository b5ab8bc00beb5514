"""The hub and the team's coordinators: whatever needs a person to act (a response clock at risk or
breached, a missed or unassignable visit, a clinical alert, a message that failed for good, a dead
letter). In the app, which cannot fail; by email and to the integrator's webhook too, when set."""

from __future__ import annotations

from uuid import UUID

from carerelay_contract.episode import CarePlanChangeProposed, DischargeRecommended
from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached
from carerelay_contract.visit import VisitMissed, VisitUnassignable
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

from .. import wording
from ..messages import HUB_INBOX, INTEGRATOR, Message, MessageRequest, Trigger, team_inbox
from ..reach import Reach


def alert_hub(
    reach: Reach, episode_id: UUID, template: str, body: str, trigger: Trigger, *, urgent: bool, team: str | None
) -> list[MessageRequest]:
    """In-app to the hub's inbox and the team's coordinators; by email and to integrators when set."""
    hub, coordinator = NotificationAudience.HUB, NotificationAudience.COORDINATOR
    wanted = [MessageRequest(episode_id, hub, NotificationChannel.IN_APP, HUB_INBOX, template, body, urgent=urgent)]
    if team:
        wanted.append(
            MessageRequest(episode_id, coordinator, NotificationChannel.IN_APP, team_inbox(team), template, body, urgent=urgent)
        )
    if reach.hub_email:
        subject = wording.hub_subject(template)
        wanted.append(MessageRequest(episode_id, hub, NotificationChannel.EMAIL, HUB_INBOX, template, body, subject, urgent))
    if reach.integrator_webhook:
        payload = {
            "type": template,
            "episode_id": str(episode_id),
            "trigger_event_id": trigger.event_id,
            "message": body,
            "urgent": urgent,
            "at": trigger.at.isoformat(),
        }
        wanted.append(
            MessageRequest(
                episode_id,
                NotificationAudience.INTEGRATOR,
                NotificationChannel.WEBHOOK,
                INTEGRATOR,
                template,
                body,
                urgent=urgent,
                payload=payload,
            )
        )
    return wanted


def discharge_recommended(reach: Reach, event: DischargeRecommended, trigger: Trigger, team: str | None) -> list[MessageRequest]:
    """A clinician recommends discharge: the hub (or the lead) closes the episode, so it is told (not urgent)."""
    body = wording.discharge_recommended(event.outcome.value, event.summary)
    return alert_hub(reach, event.episode_id, "discharge-recommended", body, trigger, urgent=False, team=team)


def care_plan_change_proposed(
    reach: Reach, event: CarePlanChangeProposed, trigger: Trigger, team: str | None
) -> list[MessageRequest]:
    """A proposal waits for the team's coordinator (or a hub clinician) to agree or decline it."""
    body = wording.care_plan_change_proposed(event.reason, len(event.visits))
    return alert_hub(reach, event.episode_id, "care-plan-change-proposed", body, trigger, urgent=False, team=team)


def hospital_stay(
    reach: Reach, event: PatientAdmitted | PatientDischarged, trigger: Trigger, team: str | None
) -> list[MessageRequest]:
    """An admission or a discharge changes who goes when: the hub and the team's coordinators are told
    (not urgent: scheduling has already paused the visits, or planned the reassessment)."""
    if event.episode_id is None:
        return []
    if isinstance(event, PatientAdmitted):
        template, body = "patient-admitted", wording.admitted(event.hospital, event.ward)
    else:
        template, body = "patient-discharged", wording.discharged(event.hospital)
    return alert_hub(reach, event.episode_id, template, body, trigger, urgent=False, team=team)


def visit_missed(reach: Reach, event: VisitMissed, trigger: Trigger, team: str | None) -> list[MessageRequest]:
    body = wording.visit_missed(event.reason)
    return alert_hub(reach, event.episode_id, "visit-missed", body, trigger, urgent=True, team=team)


def visit_unassignable(reach: Reach, event: VisitUnassignable, trigger: Trigger, team: str | None) -> list[MessageRequest]:
    body = wording.visit_unassignable(event.reason)
    return alert_hub(reach, event.episode_id, "visit-unassignable", body, trigger, urgent=True, team=team)


def clock_at_risk(reach: Reach, event: ResponseClockAtRisk, trigger: Trigger, team: str | None) -> list[MessageRequest]:
    body = wording.clock_at_risk(event.tier, wording.local(event.deadline, reach.zone), event.why)
    return alert_hub(reach, event.episode_id, "response-clock-at-risk", body, trigger, urgent=True, team=team)


def clock_breached(reach: Reach, event: ResponseClockBreached, trigger: Trigger, team: str | None) -> list[MessageRequest]:
    body = wording.clock_breached(event.tier, wording.local(event.deadline, reach.zone))
    return alert_hub(reach, event.episode_id, "response-clock-breached", body, trigger, urgent=True, team=team)


def message_failed(message: Message, attempts: int, reason: str) -> MessageRequest:
    """A message that failed for good is the hub's to follow up, in the app (which cannot fail)."""
    body = wording.message_failed(message.channel.value, message.audience.value, message.template, attempts, reason)
    return MessageRequest(
        message.episode_id,
        NotificationAudience.HUB,
        NotificationChannel.IN_APP,
        HUB_INBOX,
        "message-failed",
        body,
        urgent=True,
    )
