"""Who is told what, for each event notifications consumes (the table in the README lists them all).

Each trigger asks for messages through a `Requester`, in the handler's transaction: idempotent on
the triggering event, so a redelivered event tells nobody twice. Patients and families are told only
as `consent.py` allows; staff, the hub and coordinators in the app (email and webhooks when set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

import structlog

from carerelay_contract.episode import AssessmentRecorded, ConsentRecorded, ConsentWithdrawn, EpisodeClosed, OnwardReferralMade
from carerelay_contract.model import Event
from carerelay_contract.notification import NotificationFailed
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached
from carerelay_contract.visit import (
    VisitAssigned,
    VisitCancelled,
    VisitCompleted,
    VisitMissed,
    VisitPlanned,
    VisitRescheduled,
    VisitRunningLate,
    VisitUnassignable,
)
from carerelay_contract.vocabulary import ConsentScope, NotificationAudience, NotificationChannel, VisitPurpose
from carerelay_events.processing import HandlerContext

from . import consent, store
from .fhir_summary import discharge_bundle, document_problems, urgent_communication
from .messages import HUB_INBOX, MessageRequest, Requester, team_inbox
from .settings import NotificationsSettings

log = structlog.get_logger(__name__)

NEWS2_EMERGENCY = 7
FHIR_JSON = "application/fhir+json"


class Triggers:
    """The messages each event causes. One instance per service, holding its settings."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)

    def _local(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%A %d %B at %H:%M}"

    async def __call__(self, event: Event, context: HandlerContext[Any]) -> None:
        tell = Requester(
            conn=context.conn,
            outbox=context.outbox,
            trigger_event_id=context.metadata.id,
            correlation_id=context.metadata.correlation_id,
            settings=self.settings,
            now=datetime.now(UTC),
        )
        conn = context.conn
        match event:
            case ReferralReceived():
                await store.remember_referral(conn, event)
            case ConsentRecorded():
                await consent.record(conn, event.episode_id, event.scope, True, event.family_contact_id, event.recorded_at)
            case ConsentWithdrawn():
                await consent.record(conn, event.episode_id, event.scope, False, None, event.withdrawn_at)
                await self.stop_waiting_messages(tell, event)
            case VisitPlanned():
                await store.remember_visit(
                    conn,
                    event.visit_id,
                    event.episode_id,
                    "planned",
                    purpose=event.purpose.value,
                    discipline=event.discipline,
                    deadline=event.deadline,
                    planned_start=event.earliest_start,
                )
            case VisitAssigned():
                await self.visit_assigned(tell, event)
            case VisitRescheduled():
                await store.remember_visit(
                    conn, event.visit_id, event.episode_id, "assigned", staff_id=event.staff_id, planned_start=event.planned_start
                )
                await self.tell_staff(
                    tell,
                    event.episode_id,
                    event.staff_id,
                    "visit-rescheduled",
                    f"A visit on your round has moved to {self._local(event.planned_start)} "
                    f"(was {self._local(event.previous_start)}): {event.reason}.",
                )
            case VisitCancelled():
                visit = await store.visit(conn, event.visit_id)
                await store.remember_visit(conn, event.visit_id, event.episode_id, "cancelled")
                if visit is not None and visit["staff_id"] is not None:
                    await self.tell_staff(
                        tell,
                        event.episode_id,
                        visit["staff_id"],
                        "visit-cancelled",
                        f"A visit on your round ({self._local(visit['planned_start'])}) is cancelled: {event.reason}.",
                    )
            case VisitRunningLate():
                await self.running_late(tell, event)
            case VisitMissed():
                await store.remember_visit(conn, event.visit_id, event.episode_id, "missed")
                why = "no access to the home" if event.reason.value == "no-access" else event.reason.value.replace("-", " ")
                await self.alert_hub(tell, event.episode_id, "visit-missed", f"A visit was missed: {why}.", urgent=True)
            case VisitUnassignable():
                await self.alert_hub(
                    tell,
                    event.episode_id,
                    "visit-unassignable",
                    f"A visit could not be assigned to anyone: {event.reason}.",
                    urgent=True,
                )
            case ResponseClockAtRisk():
                await self.alert_hub(
                    tell,
                    event.episode_id,
                    "response-clock-at-risk",
                    f"A {event.tier.value} response is at risk: due by {self._local(event.deadline)} ({event.why}).",
                    urgent=True,
                )
            case ResponseClockBreached():
                await self.alert_hub(
                    tell,
                    event.episode_id,
                    "response-clock-breached",
                    f"A {event.tier.value} response missed its deadline of {self._local(event.deadline)}.",
                    urgent=True,
                )
            case VisitCompleted():
                visit = await store.visit(conn, event.visit_id)
                await store.remember_visit(conn, event.visit_id, event.episode_id, "completed")
                await store.remember_in_record(
                    conn,
                    context.metadata.id,
                    event.episode_id,
                    "visit",
                    event.at,
                    {
                        "visit_id": str(event.visit_id),
                        "at": event.at.isoformat(),
                        "discipline": visit["discipline"] if visit else None,
                        "tasks_done": list(event.tasks_done),
                    },
                )
            case AssessmentRecorded():
                await store.remember_in_record(
                    conn, context.metadata.id, event.episode_id, "assessment", event.recorded_at, event.model_dump(mode="json")
                )
                if (event.news2_score is not None and event.news2_score >= NEWS2_EMERGENCY) or event.serious_concern:
                    await self.urgent_to_gp(tell, event)
            case OnwardReferralMade():
                await store.remember_in_record(
                    conn, context.metadata.id, event.episode_id, "onward-referral", event.made_at, event.model_dump(mode="json")
                )
            case EpisodeClosed():
                await self.discharge_summary_to_gp(tell, event)

    # ---------------------------------------------------------------- field staff

    async def tell_staff(
        self, tell: Requester, episode_id: UUID, staff_id: UUID, template: str, body: str, urgent: bool = False
    ) -> None:
        subject = "Urgent: a visit added to your round" if urgent else "Your visits have changed"
        ref = str(staff_id)
        await tell.request(
            MessageRequest(
                episode_id, NotificationAudience.FIELD_STAFF, NotificationChannel.IN_APP, ref, template, body, subject, urgent
            )
        )
        if self.settings.smtp_host and ref in self.settings.staff_emails:
            await tell.request(
                MessageRequest(
                    episode_id, NotificationAudience.FIELD_STAFF, NotificationChannel.EMAIL, ref, template, body, subject, urgent
                )
            )

    def is_urgent(self, visit: Any, now: datetime) -> bool:
        if visit is None:
            return False
        if visit["purpose"] == VisitPurpose.FIRST_RESPONSE.value:
            return True
        deadline = visit["deadline"]
        return deadline is not None and deadline - now <= timedelta(minutes=self.settings.urgent_visit_within_minutes)

    async def visit_assigned(self, tell: Requester, event: VisitAssigned) -> None:
        conn = tell.conn
        visit = await store.visit(conn, event.visit_id)
        first = not await store.had_an_assigned_visit(conn, event.episode_id, event.visit_id)
        await store.remember_visit(
            conn, event.visit_id, event.episode_id, "assigned", staff_id=event.staff_id, planned_start=event.planned_start
        )
        urgent = self.is_urgent(visit, tell.now)
        when = self._local(event.planned_start)
        if urgent:
            body = f"Urgent visit added to your round, planned for {when} (visit {event.visit_id})."
            await self.tell_staff(tell, event.episode_id, event.staff_id, "urgent-visit-assigned", body, urgent=True)
        else:
            body = f"New visit assigned to you, planned for {when} (visit {event.visit_id})."
            await self.tell_staff(tell, event.episode_id, event.staff_id, "visit-assigned", body)

        tomorrow = (tell.now.astimezone(self.zone) + timedelta(days=1)).date()
        care_tomorrow = visit is not None and visit["purpose"] == VisitPurpose.CARE.value
        care_tomorrow = care_tomorrow and event.planned_start.astimezone(self.zone).date() == tomorrow
        if not (first or care_tomorrow):
            return
        discipline = (visit["discipline"] if visit else None) or "care"
        await self.tell_patient_and_family(
            tell,
            event.episode_id,
            "who-is-coming",
            "Who is coming and when",
            {
                NotificationAudience.PATIENT: f"Your {discipline} visit from the community team is planned for {when}.",
                NotificationAudience.FAMILY: f"A {discipline} visit from the community team is planned for {when}.",
            },
            urgent=urgent,
            time_critical=event.planned_start - tell.now < timedelta(days=2),
        )

    # ---------------------------------------------------------------- patients and families

    async def running_late(self, tell: Requester, event: VisitRunningLate) -> None:
        visit = await store.visit(tell.conn, event.visit_id)
        discipline = (visit["discipline"] if visit else None) or "care"
        expected = f"{event.expected_arrival.astimezone(self.zone):%H:%M}"
        late = f"{event.minutes_late} minutes late"
        # Urgent: the visit is happening now (at night too, for the night team); held until morning it would be useless.
        await self.tell_patient_and_family(
            tell,
            event.episode_id,
            "running-late",
            "Your visit is running late",
            {
                NotificationAudience.PATIENT: f"Your {discipline} visit is running about {late}; expected around {expected}.",
                NotificationAudience.FAMILY: f"Today's {discipline} visit is running about {late}; expected around {expected}.",
            },
            urgent=True,
            time_critical=True,
        )

    async def tell_patient_and_family(
        self,
        tell: Requester,
        episode_id: UUID,
        template: str,
        subject: str,
        bodies: dict[NotificationAudience, str],
        urgent: bool,
        time_critical: bool,
    ) -> None:
        consents = await consent.load(tell.conn, episode_id)
        patient = await store.patient_contact(tell.conn, episode_id)
        people = [(NotificationAudience.PATIENT, patient)] if patient else []
        people += [(NotificationAudience.FAMILY, family) for family in await store.family_contacts(tell.conn, episode_id)]
        for audience, contact in people:
            if not consent.may_be_messaged(audience, contact, consents):
                continue
            channel = consent.channel_for(contact, time_critical)
            if channel is None:
                continue
            await tell.request(
                MessageRequest(episode_id, audience, channel, contact.ref, template, bodies[audience], subject, urgent)
            )

    async def stop_waiting_messages(self, tell: Requester, event: ConsentWithdrawn) -> None:
        """A withdrawal stops, at once, the messages it covers that are still waiting to be sent."""
        audiences = {
            ConsentScope.FAMILY_INVOLVEMENT: [NotificationAudience.FAMILY.value],
            ConsentScope.CONTACT_BY_MESSAGE: [NotificationAudience.PATIENT.value],
        }.get(event.scope)
        if not audiences:
            return
        stopped = await tell.conn.fetch(
            """
            UPDATE messages SET status = 'cancelled', last_error = 'consent withdrawn', finished_at = $3
            WHERE episode_id = $1 AND audience = ANY($2::text[]) AND status = 'pending'
            RETURNING notification_id, channel, attempts
            """,
            event.episode_id,
            audiences,
            tell.now,
        )
        for row in stopped:
            await tell.outbox.add(
                tell.conn,
                NotificationFailed(
                    episode_id=event.episode_id,
                    notification_id=row["notification_id"],
                    channel=NotificationChannel(row["channel"]),
                    failed_at=tell.now,
                    reason="consent withdrawn",
                    attempt=row["attempts"] + 1,
                    will_retry=False,
                ),
                correlation_id=tell.correlation_id,
            )

    # ---------------------------------------------------------------- the hub and coordinators

    async def alert_hub(self, tell: Requester, episode_id: UUID, template: str, body: str, urgent: bool = False) -> None:
        await alert_hub(tell, episode_id, template, body, urgent, team=await store.team(tell.conn, episode_id))

    # ---------------------------------------------------------------- GPs

    def gp_endpoint(self, practice: str) -> str | None:
        if not self.settings.webhook_secret:
            return None
        return self.settings.gp_endpoints.get(practice) or self.settings.gp_endpoint_default

    async def discharge_summary_to_gp(self, tell: Requester, event: EpisodeClosed) -> None:
        consents = await consent.load(tell.conn, event.episode_id)
        sharing = consents.get(ConsentScope.PROFESSIONAL_SHARING)
        patient = await store.patient_facts(tell.conn, event.episode_id)
        agreed = sharing.granted if sharing is not None else bool(patient and patient[1]["consent_to_share"])
        summary = await store.episode_summary(tell.conn, event.episode_id, event.closed_at, event.outcome, event.summary, agreed)
        if summary is None or self.gp_endpoint(summary.patient.gp_practice_code) is None:
            log.info("no GP endpoint for the discharge summary", episode_id=str(event.episode_id))
            return
        bundle = discharge_bundle(summary, uuid5(NAMESPACE_URL, f"{event.episode_id}/discharge-summary"), tell.now)
        problems = document_problems(bundle)
        if problems:  # a bug, never the GP's to receive: the hub follows it up
            log.error("discharge summary is not a sound FHIR document", problems=problems)
            await self.alert_hub(
                tell, event.episode_id, "discharge-summary-failed", "The GP's discharge summary could not be made."
            )
            return
        await tell.request(
            MessageRequest(
                event.episode_id,
                NotificationAudience.GP,
                NotificationChannel.WEBHOOK,
                summary.patient.gp_practice_code,
                "discharge-summary",
                f"Discharge summary: {event.outcome.value}, {len(summary.visits)} visits (FHIR document Bundle).",
                "Discharge summary",
                payload=bundle,
            )
        )

    async def urgent_to_gp(self, tell: Requester, event: AssessmentRecorded) -> None:
        reason = (
            "NEWS2 emergency" if event.news2_score is not None and event.news2_score >= NEWS2_EMERGENCY else "serious concern"
        )
        await self.alert_hub(
            tell, event.episode_id, "urgent-clinical-update", f"A {reason} was recorded at a visit.", urgent=True
        )
        found = await store.patient_facts(tell.conn, event.episode_id)
        if found is None or self.gp_endpoint(found[0].gp_practice_code) is None:
            return
        patient = found[0]
        message_id = uuid5(NAMESPACE_URL, f"{tell.trigger_event_id}/gp-urgent")
        assessment = store.assessment_from(event.model_dump(mode="json"))
        await tell.request(
            MessageRequest(
                event.episode_id,
                NotificationAudience.GP,
                NotificationChannel.WEBHOOK,
                patient.gp_practice_code,
                "urgent-clinical-update",
                f"Urgent: a {reason} was recorded at a home visit.",
                "Urgent clinical update",
                urgent=True,
                payload=urgent_communication(patient, event.episode_id, assessment, message_id, tell.now),
            )
        )


async def alert_hub(tell: Requester, episode_id: UUID, template: str, body: str, urgent: bool, team: str | None) -> None:
    """In-app to the hub's inbox and the team's coordinators; by email and to integrators when set."""
    settings = tell.settings
    await tell.request(
        MessageRequest(episode_id, NotificationAudience.HUB, NotificationChannel.IN_APP, HUB_INBOX, template, body, urgent=urgent)
    )
    if team:
        await tell.request(
            MessageRequest(
                episode_id,
                NotificationAudience.COORDINATOR,
                NotificationChannel.IN_APP,
                team_inbox(team),
                template,
                body,
                urgent=urgent,
            )
        )
    if settings.smtp_host and settings.hub_email:
        await tell.request(
            MessageRequest(
                episode_id,
                NotificationAudience.HUB,
                NotificationChannel.EMAIL,
                HUB_INBOX,
                template,
                body,
                f"CareRelay: {template}",
                urgent,
            )
        )
    if settings.webhook_secret and settings.integrator_webhook_url:
        payload = {
            "type": template,
            "episode_id": str(episode_id),
            "trigger_event_id": tell.trigger_event_id,
            "message": body,
            "urgent": urgent,
            "at": tell.now.isoformat(),
        }
        await tell.request(
            MessageRequest(
                episode_id,
                NotificationAudience.INTEGRATOR,
                NotificationChannel.WEBHOOK,
                "integrator",
                template,
                body,
                urgent=urgent,
                payload=payload,
            )
        )
