"""Field staff: in the app (and by email when they asked for copies) whenever their round changes, and
when a care plan change they proposed is decided."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from carerelay_contract.episode import CarePlanChangeDeclined, CarePlanUpdated
from carerelay_contract.visit import VisitAssigned, VisitCancelled, VisitRescheduled
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel

from .. import wording
from ..messages import MessageRequest
from ..reach import Reach
from ..visits import KnownVisit, is_urgent


def tell_staff(
    reach: Reach, episode_id: UUID, staff_id: UUID, template: str, body: str, urgent: bool = False
) -> list[MessageRequest]:
    """In-app to the member of staff, and by email too when their staff id has an address."""
    ref = str(staff_id)
    channels = [NotificationChannel.IN_APP]
    if ref in reach.staff_with_email:
        channels.append(NotificationChannel.EMAIL)
    subject = wording.staff_subject(urgent)
    return [
        MessageRequest(episode_id, NotificationAudience.FIELD_STAFF, channel, ref, template, body, subject, urgent)
        for channel in channels
    ]


def visit_assigned(reach: Reach, event: VisitAssigned, visit: KnownVisit | None, now: datetime) -> list[MessageRequest]:
    """The assignee is told of the new visit; an urgent one (a first response, or a deadline close
    by) says so."""
    urgent = is_urgent(visit, now, reach.urgent_visit_within)
    body = wording.visit_assigned(event.visit_id, wording.local(event.planned_start, reach.zone), urgent)
    template = "urgent-visit-assigned" if urgent else "visit-assigned"
    return tell_staff(reach, event.episode_id, event.staff_id, template, body, urgent=urgent)


def visit_rescheduled(reach: Reach, event: VisitRescheduled) -> list[MessageRequest]:
    """The (new) assignee is told the old and new time, and why."""
    body = wording.visit_rescheduled(
        wording.local(event.planned_start, reach.zone), wording.local(event.previous_start, reach.zone), event.reason
    )
    return tell_staff(reach, event.episode_id, event.staff_id, "visit-rescheduled", body)


def visit_cancelled(reach: Reach, event: VisitCancelled, visit: KnownVisit | None) -> list[MessageRequest]:
    """Whoever had the visit is told; nobody, when it was never assigned."""
    if visit is None or visit.staff_id is None or visit.planned_start is None:
        return []
    body = wording.visit_cancelled(wording.local(visit.planned_start, reach.zone), event.reason)
    return tell_staff(reach, event.episode_id, visit.staff_id, "visit-cancelled", body)


def care_plan_change_decided(reach: Reach, event: CarePlanUpdated | CarePlanChangeDeclined) -> list[MessageRequest]:
    """The clinician who proposed the change hears what became of it (an update nobody proposed tells no one)."""
    proposer = event.proposed_by_staff_id
    if proposer is None:
        return []
    if isinstance(event, CarePlanUpdated):
        body = wording.care_plan_change_agreed(event.reason)
        return tell_staff(reach, event.episode_id, proposer, "care-plan-change-agreed", body)
    body = wording.care_plan_change_declined(event.declined_by or "the coordinator", event.reason)
    return tell_staff(reach, event.episode_id, proposer, "care-plan-change-declined", body)
