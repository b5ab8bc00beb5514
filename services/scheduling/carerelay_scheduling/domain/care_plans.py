"""Care plans become visits: each line ("a carer twice a day, morning and evening, for 5 weeks") gives
one visit per day per preferred window, a few days ahead at a time (the planner's horizon); the
rest are made as the days come. Declined visits are kept on the plan and never planned.

The window agreed with the person is the *preferred* time (a soft cost for the planner); the hard
window around it is an hour either side, within the day team's 07:00-22:00 when the agreed window is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import orjson

from carerelay_contract.episode import CarePlanAgreed, CarePlanUpdated
from carerelay_contract.model import Event
from carerelay_contract.parts import RecurringVisit
from carerelay_contract.visit import VisitCancelled, VisitPlanned
from carerelay_events.db import DbConnection
from carerelay_events.processing import HandlerContext

from .rota import LONDON

DAYS_AHEAD = 2
"""Visits are made for today and this many days ahead; the planner tick makes later days as they come."""
TOLERANCE = timedelta(hours=1)
DAY_TEAM = (time(7, 0), time(22, 0))

Emit = Callable[[Event], Awaitable[str]]


@dataclass(frozen=True)
class Slot:
    """One visit a care plan line asks for: its day and window, in UTC."""

    discipline: str
    earliest_start: datetime
    latest_start: datetime
    preferred_start: datetime
    preferred_end: datetime


def slots(line: RecurringVisit, day: date) -> list[Slot]:
    """The visits one line of a care plan asks for on a local day (none outside its dates)."""
    if not line.starts_on <= day <= line.ends_on:
        return []
    duration = timedelta(minutes=line.duration_minutes)
    made = []
    for window in line.preferred_windows:
        preferred_start = datetime.combine(day, window.start, LONDON)
        preferred_end = max(preferred_start, datetime.combine(day, window.end, LONDON) - duration)
        earliest, latest = preferred_start - TOLERANCE, preferred_end + TOLERANCE
        day_start, day_end = datetime.combine(day, DAY_TEAM[0], LONDON), datetime.combine(day, DAY_TEAM[1], LONDON) - duration
        if day_start <= preferred_start and preferred_end <= day_end:
            earliest, latest = max(earliest, day_start), min(latest, day_end)
        made.append(
            Slot(
                discipline=line.discipline,
                earliest_start=earliest.astimezone(UTC),
                latest_start=latest.astimezone(UTC),
                preferred_start=preferred_start.astimezone(UTC),
                preferred_end=preferred_end.astimezone(UTC),
            )
        )
    return made


async def on_care_plan(event: CarePlanAgreed | CarePlanUpdated, context: HandlerContext[Any]) -> None:
    """Keep the plan, then make its visits from today for the next few days: the ones it no longer
    asks for are cancelled, the new ones planned (and the planner places them on its next run)."""
    conn = context.conn
    agreed_at = event.agreed_at if isinstance(event, CarePlanAgreed) else event.updated_at
    lines = orjson.dumps([line.model_dump(mode="json") for line in event.visits]).decode()
    await conn.execute(
        """
        INSERT INTO care_plans (care_plan_id, episode_id, agreed_at, lines, declined, active)
        VALUES ($1, $2, $3, $4::jsonb, $5, $6)
        ON CONFLICT (care_plan_id) DO UPDATE SET agreed_at = $3, lines = $4::jsonb, declined = $5, active = $6
        """,
        event.care_plan_id,
        event.episode_id,
        agreed_at,
        lines,
        list(event.declined),
        bool(event.visits),
    )
    now = datetime.now(UTC)
    await make_visits(conn, context.emit, event.care_plan_id, event.episode_id, list(event.visits), now, _horizon_day(now))


async def make_visits(
    conn: DbConnection,
    emit: Emit,
    care_plan_id: UUID,
    episode_id: UUID,
    lines: list[RecurringVisit],
    now: datetime,
    through: date,
) -> int:
    """Make the plan's visits from now through the local day `through`; cancel future ones it no
    longer asks for. Idempotent: a visit already made for a slot is left as it is. Returns how many
    visits were planned now."""
    today = now.astimezone(LONDON).date()
    wanted: dict[tuple[datetime, str], tuple[RecurringVisit, Slot]] = {}
    for day in (today + timedelta(days=n) for n in range((through - today).days + 1)):
        for line in lines:
            for slot in slots(line, day):
                if slot.latest_start >= now:
                    wanted[(slot.earliest_start, slot.discipline)] = (line, slot)
    existing: list[Any] = await conn.fetch(
        """
        SELECT visit_id, earliest_start, discipline FROM visits
        WHERE care_plan_id = $1 AND status IN ('planned', 'assigned') AND earliest_start > $2
        """,
        care_plan_id,
        now,
    )
    for row in existing:
        if (row["earliest_start"], row["discipline"]) not in wanted and row["earliest_start"].astimezone(
            LONDON
        ).date() <= through:
            await conn.execute("UPDATE visits SET status = 'cancelled' WHERE visit_id = $1", row["visit_id"])
            await emit(
                VisitCancelled(episode_id=episode_id, visit_id=row["visit_id"], cancelled_at=now, reason="care plan changed")
            )
    planned = 0
    for line, slot in wanted.values():
        visit_id = uuid4()
        inserted = await conn.fetchval(
            """
            INSERT INTO visits (visit_id, episode_id, purpose, discipline, earliest_start, latest_start, duration_minutes,
                                status, required_skills, double_handed, care_plan_id, preferred_start, preferred_end)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $8, $9, $10, $11, $12)
            ON CONFLICT (care_plan_id, earliest_start, discipline) WHERE care_plan_id IS NOT NULL DO NOTHING
            RETURNING true
            """,
            visit_id,
            episode_id,
            line.purpose.value,
            slot.discipline,
            slot.earliest_start,
            slot.latest_start,
            line.duration_minutes,
            list(line.required_skills),
            line.double_handed,
            care_plan_id,
            slot.preferred_start,
            slot.preferred_end,
        )
        if not inserted:
            continue
        planned += 1
        await emit(
            VisitPlanned(
                episode_id=episode_id,
                visit_id=visit_id,
                purpose=line.purpose,
                discipline=slot.discipline,
                earliest_start=slot.earliest_start,
                latest_start=slot.latest_start,
                duration_minutes=line.duration_minutes,
                required_skills=list(line.required_skills),
                double_handed=line.double_handed,
                care_plan_id=care_plan_id,
            )
        )
    return planned


async def make_due_visits(conn: DbConnection, emit_for: Callable[[UUID], Emit], now: datetime, through: date) -> int:
    """Make every active care plan's visits through `through` (the planner's tick and day plans)."""
    plans = await conn.fetch("SELECT care_plan_id, episode_id, lines FROM care_plans WHERE active")
    planned = 0
    for plan in plans:
        raw = plan["lines"]
        lines = [RecurringVisit.model_validate(line) for line in (orjson.loads(raw) if isinstance(raw, str) else raw)]
        planned += await make_visits(
            conn, emit_for(plan["episode_id"]), plan["care_plan_id"], plan["episode_id"], lines, now, through
        )
    return planned


def _horizon_day(now: datetime) -> date:
    return now.astimezone(LONDON).date() + timedelta(days=DAYS_AHEAD)
