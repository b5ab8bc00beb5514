"""Events the referral hub follows, so each referral shows where it has got to."""

from __future__ import annotations

from carerelay_events.catalogue import Event, TriageCompleted, VisitAssigned
from carerelay_events.processing import Handler, HandlerContext

from . import store


async def on_triage_completed(event: TriageCompleted, context: HandlerContext) -> None:
    await store.record_triage(
        context.conn, event.referral_id, event.tier.value, event.lead_discipline.value, event.first_contact_deadline
    )


async def on_visit_assigned(event: VisitAssigned, context: HandlerContext) -> None:
    await store.record_first_visit_planned(context.conn, event.episode_id, event.planned_start)
    await store.add_to_care_team(context.conn, event.episode_id, event.staff_id, event.planned_start)


HANDLERS: dict[type[Event], Handler] = {
    TriageCompleted: on_triage_completed,
    VisitAssigned: on_visit_assigned,
}
