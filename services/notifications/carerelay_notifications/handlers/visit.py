"""carerelay.visit.v1: what each visit is (kept for later triggers) and who is told when it changes:
the member of staff whose round it is, the patient and family (as consent allows), the hub."""

from __future__ import annotations

from carerelay_contract import visit as visit_events
from carerelay_events.processing import HandlerContext

from ..domain.reach import Reach
from ..domain.triggers import hub, people, staff
from ..store import access, patients, record, visits
from .registry import handlers, requester


@handlers.on(visit_events.VisitPlanned)
async def on_visit_planned(event: visit_events.VisitPlanned, context: HandlerContext[Reach]) -> None:
    """Kept: its purpose, discipline and deadline (whether an assignment is urgent, who is coming)."""
    await visits.remember(
        context.conn,
        event.visit_id,
        event.episode_id,
        "planned",
        purpose=event.purpose.value,
        discipline=event.discipline,
        deadline=event.deadline,
        planned_start=event.earliest_start,
    )


@handlers.on(visit_events.VisitAssigned)
async def on_visit_assigned(event: visit_events.VisitAssigned, context: HandlerContext[Reach]) -> None:
    """The assignee is told (urgently, for an urgent visit); the patient and family learn who is
    coming for the episode's first visit and for tomorrow's care visits."""
    conn, tell = context.conn, requester(context)
    visit = await visits.get(conn, event.visit_id)
    first = not await visits.had_an_assigned_visit(conn, event.episode_id, event.visit_id)
    await visits.remember(
        conn, event.visit_id, event.episode_id, "assigned", staff_id=event.staff_id, planned_start=event.planned_start
    )
    await access.remember_staff(conn, event.episode_id, event.staff_id)
    await tell.request_all(staff.visit_assigned(tell.reach, event, visit, tell.now))
    told = await patients.people(conn, event.episode_id)
    await tell.request_all(people.who_is_coming(tell.reach, event, visit, first, told, tell.now))


@handlers.on(visit_events.VisitRescheduled)
async def on_visit_rescheduled(event: visit_events.VisitRescheduled, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    await visits.remember(
        context.conn, event.visit_id, event.episode_id, "assigned", staff_id=event.staff_id, planned_start=event.planned_start
    )
    await tell.request_all(staff.visit_rescheduled(tell.reach, event))


@handlers.on(visit_events.VisitCancelled)
async def on_visit_cancelled(event: visit_events.VisitCancelled, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    visit = await visits.get(context.conn, event.visit_id)
    await visits.remember(context.conn, event.visit_id, event.episode_id, "cancelled")
    await tell.request_all(staff.visit_cancelled(tell.reach, event, visit))


@handlers.on(visit_events.VisitEnRoute)
async def on_visit_en_route(event: visit_events.VisitEnRoute, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    visit = await visits.get(context.conn, event.visit_id)
    told = await patients.people(context.conn, event.episode_id)
    await tell.request_all(people.on_the_way(tell.reach, event, visit, told))


@handlers.on(visit_events.VisitRunningLate)
async def on_visit_running_late(event: visit_events.VisitRunningLate, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    visit = await visits.get(context.conn, event.visit_id)
    told = await patients.people(context.conn, event.episode_id)
    await tell.request_all(people.running_late(tell.reach, event, visit, told))


@handlers.on(visit_events.VisitMissed)
async def on_visit_missed(event: visit_events.VisitMissed, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    await visits.remember(context.conn, event.visit_id, event.episode_id, "missed")
    team = await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.visit_missed(tell.reach, event, tell.trigger, team))


@handlers.on(visit_events.VisitUnassignable)
async def on_visit_unassignable(event: visit_events.VisitUnassignable, context: HandlerContext[Reach]) -> None:
    tell = requester(context)
    team = await access.team(context.conn, event.episode_id)
    await tell.request_all(hub.visit_unassignable(tell.reach, event, tell.trigger, team))


@handlers.on(visit_events.VisitCompleted)
async def on_visit_completed(event: visit_events.VisitCompleted, context: HandlerContext[Reach]) -> None:
    """Kept in the episode's record, for the GP's discharge summary."""
    visit = await visits.get(context.conn, event.visit_id)
    await visits.remember(context.conn, event.visit_id, event.episode_id, "completed")
    made = {
        "visit_id": str(event.visit_id),
        "at": event.at.isoformat(),
        "discipline": visit.discipline if visit else None,
        "tasks_done": list(event.tasks_done),
    }
    await record.remember(context.conn, context.metadata.id, event.episode_id, record.Kind.VISIT, event.at, made)
