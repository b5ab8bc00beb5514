"""Scheduling's handlers: a triage decision becomes a planned, assigned first visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from carerelay_events.catalogue import Event, TriageCompleted, VisitAssigned, VisitPlanned
from carerelay_events.processing import Handler, HandlerContext
from carerelay_events.vocabulary import VisitPurpose

from .first_response import DISCIPLINES_FOR_LEAD, FIRST_VISIT_MINUTES, Candidate, choose


async def on_triage_completed(event: TriageCompleted, context: HandlerContext) -> None:
    conn = context.conn
    now = datetime.now(UTC)
    visit_id = uuid4()
    disciplines = list(DISCIPLINES_FOR_LEAD[event.lead_discipline])
    inserted = await conn.fetchval(
        """
        INSERT INTO visits (visit_id, episode_id, referral_id, purpose, discipline, earliest_start, latest_start,
                            duration_minutes, deadline, status)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'planned')
        ON CONFLICT (referral_id) WHERE purpose = 'first-response' DO NOTHING RETURNING true
        """,
        visit_id,
        event.episode_id,
        event.referral_id,
        VisitPurpose.FIRST_RESPONSE.value,
        disciplines[0],
        now,
        max(now, event.first_contact_deadline - timedelta(minutes=FIRST_VISIT_MINUTES)),
        FIRST_VISIT_MINUTES,
        event.first_contact_deadline,
    )
    if not inserted:
        return
    await context.emit(
        VisitPlanned(
            episode_id=event.episode_id,
            visit_id=visit_id,
            purpose=VisitPurpose.FIRST_RESPONSE,
            discipline=disciplines[0],
            earliest_start=now,
            latest_start=max(now, event.first_contact_deadline - timedelta(minutes=FIRST_VISIT_MINUTES)),
            duration_minutes=FIRST_VISIT_MINUTES,
            deadline=event.first_contact_deadline,
        )
    )
    rows = await conn.fetch(
        """
        SELECT s.staff_id, s.discipline,
               (SELECT count(*) FROM visits v WHERE v.staff_id = s.staff_id AND v.planned_start::date = $2::date) AS visits_today
        FROM staff s WHERE s.active AND s.discipline = ANY($1::text[])
        """,
        disciplines,
        now,
    )
    choice = choose(
        [Candidate(row["staff_id"], row["discipline"], row["visits_today"]) for row in rows],
        event.lead_discipline,
        now,
        event.first_contact_deadline,
    )
    if choice.staff_id is None or choice.planned_start is None:
        await conn.execute("INSERT INTO unassigned_visits (visit_id, reason) VALUES ($1, $2)", visit_id, choice.unassigned_reason)
        return
    await conn.execute(
        "UPDATE visits SET status = 'assigned', staff_id = $2, planned_start = $3 WHERE visit_id = $1",
        visit_id,
        choice.staff_id,
        choice.planned_start,
    )
    await context.emit(
        VisitAssigned(
            episode_id=event.episode_id,
            visit_id=visit_id,
            staff_id=choice.staff_id,
            planned_start=choice.planned_start,
            why=list(choice.why),
        )
    )


HANDLERS: dict[type[Event], Handler] = {TriageCompleted: on_triage_completed}
