"""Planning and re-planning a window of the day, in one transaction: read who is on shift and which
visits are open, let the planner (planner.py, on PyVRP) place them, write the changes and publish
only those changes as events (visit assigned / rescheduled / unassignable), each in its own case's
trace. Runs are serialised by a transaction-scoped advisory lock, so two triggers never plan over
each other; a visit already started (or on the way) stays where it is, and its clinician is free
once it ends.

Triggers: an urgent visit (a referral triaged and accepted), a staff member's absence, a pin by a
coordinator, a day plan asked for, and the planner's tick (which catches overruns and makes care-plan
visits as days come).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import orjson

from carerelay_contract.model import Event
from carerelay_contract.visit import VisitAssigned, VisitRescheduled, VisitUnassignable
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox
from carerelay_events.tracing import case_span

from ..domain import care_plans
from ..domain.first_response import disciplines_for
from ..domain.planner.input import Point, StaffMember, VisitNeed
from ..domain.planner.plan import plan_day
from ..domain.planner.result import DayPlan, PlanChange, changes
from ..domain.rota import LONDON, staff_on_shift

PLANNER_LOCK = 7_411_103
OPEN = ("planned", "assigned")
BUSY = ("assigned", "en-route", "in-progress")
FIRST_RESPONSE = "first-response"


@dataclass(frozen=True)
class PlanRun:
    run_id: UUID
    trigger: str
    window: tuple[datetime, datetime]
    visits: int
    assigned: int
    unassigned: int
    changes: int
    solve_seconds: float


class CaseEmitter:
    """Publishes an event about an episode in that episode's own trace, with its correlation id."""

    def __init__(self, conn: DbConnection, outbox: Outbox) -> None:
        self.conn = conn
        self.outbox = outbox
        self._cases: dict[UUID, tuple[str | None, dict[str, str]]] = {}

    async def case(self, episode_id: UUID) -> tuple[str | None, dict[str, str]]:
        if episode_id not in self._cases:
            row: Any = await self.conn.fetchrow(
                "SELECT correlation_id, trace_context FROM episodes WHERE episode_id = $1", episode_id
            )
            if row is None:
                self._cases[episode_id] = (None, {})
            else:
                context = row["trace_context"]
                self._cases[episode_id] = (
                    row["correlation_id"],
                    orjson.loads(context) if isinstance(context, str) else dict(context),
                )
        return self._cases[episode_id]

    async def emit(self, event: Event) -> str:
        correlation_id, trace_context = await self.case(event.episode_id)
        with case_span(f"scheduling.{event.event_type}", trace_context):
            return await self.outbox.add(self.conn, event, correlation_id=correlation_id)

    def for_episode(self, _: UUID) -> CaseEmitter:
        return self

    async def __call__(self, event: Event) -> str:
        return await self.emit(event)


async def replan(
    conn: DbConnection,
    outbox: Outbox,
    window: tuple[datetime, datetime],
    trigger: str,
    seconds: float,
    now: datetime | None = None,
) -> PlanRun:
    """Plan the open visits of `window` afresh, keeping what need not change. Run in a transaction."""
    now = now or datetime.now(UTC)
    await conn.execute("SELECT pg_advisory_xact_lock($1)", PLANNER_LOCK)
    emitter = CaseEmitter(conn, outbox)
    await care_plans.make_due_visits(conn, emitter.for_episode, now, window[1].astimezone(LONDON).date())
    window = (max(window[0], now), window[1])
    staff = await _available_staff(conn, window)
    rows = await conn.fetch(
        """
        SELECT v.*, e.latitude, e.longitude, e.team FROM visits v LEFT JOIN episodes e USING (episode_id)
        WHERE v.status = ANY($1::text[]) AND v.earliest_start < $3 AND v.latest_start >= $2
          AND (v.status = 'planned' OR v.planned_start < $3)  -- an assignment later than the window stays as it is
        ORDER BY v.earliest_start, v.visit_id
        """,
        list(OPEN),
        *window,
    )
    bases = await _team_bases(conn)
    familiar = await _familiarity(conn, [row["visit_id"] for row in rows])
    on_shift = {member.staff_id for member in staff}
    # A pin is the coordinator's decision: a visit pinned to someone not working in this window is
    # left as it is (and shown at risk), never taken off them by the planner.
    rows = [row for row in rows if not row["pinned"] or {row["staff_id"], row["second_staff_id"]} - {None} <= on_shift]
    off_map = [row for row in rows if not _on_the_map(row)]
    rows = [row for row in rows if _on_the_map(row)]
    needs = [_need(row, window, bases, familiar.get(row["episode_id"], {})) for row in rows]
    plan: DayPlan = await asyncio.to_thread(plan_day, staff, needs, seconds=seconds, now=now)
    applied = await _apply(conn, emitter, needs, plan, {row["visit_id"]: row for row in rows}, window, now)
    for row in off_map:
        applied += await _unassign(conn, emitter, row, "the home's coordinates are off the county's map", window, now)
    run = PlanRun(
        run_id=uuid4(),
        trigger=trigger,
        window=window,
        visits=len(needs),
        assigned=len(plan.assignments),
        unassigned=len(plan.unassigned),
        changes=applied,
        solve_seconds=plan.solve_seconds,
    )
    await conn.execute(
        """
        INSERT INTO plan_runs (run_id, day, trigger, started_at, solve_seconds, visits, assigned, unassigned, changes)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        run.run_id,
        window[0].astimezone(LONDON).date(),
        trigger,
        now,
        plan.solve_seconds,
        run.visits,
        run.assigned,
        run.unassigned,
        run.changes,
    )
    return run


async def _available_staff(conn: DbConnection, window: tuple[datetime, datetime]) -> list[StaffMember]:
    """Staff on shift, each free from the end of the visit they are in (or on their way to), there."""
    staff = await staff_on_shift(conn, window)
    busy = await conn.fetch(
        """
        SELECT who.staff_id,
               max(CASE WHEN v.status = 'in-progress'
                        THEN greatest(v.planned_start + make_interval(mins => v.duration_minutes),
                                      $1::timestamptz + interval '15 minutes')
                        ELSE v.planned_start + make_interval(mins => v.duration_minutes) END) AS free_at,
               (array_agg(e.latitude ORDER BY v.planned_start DESC))[1] AS latitude,
               (array_agg(e.longitude ORDER BY v.planned_start DESC))[1] AS longitude
        FROM visits v LEFT JOIN episodes e USING (episode_id)
        CROSS JOIN LATERAL (VALUES (v.staff_id), (v.second_staff_id)) AS who (staff_id)
        WHERE who.staff_id IS NOT NULL AND v.planned_start IS NOT NULL
          AND (v.status IN ('en-route', 'in-progress')
               OR (v.status = 'assigned' AND v.latest_start < $1
                   AND v.planned_start + make_interval(mins => v.duration_minutes) > $1))
        GROUP BY who.staff_id
        """,
        window[0],
    )
    free: dict[UUID, Any] = {row["staff_id"]: row for row in busy}
    available = []
    for member in staff:
        row = free.get(member.staff_id)
        if row is None or row["free_at"] <= window[0]:
            available.append(member)
            continue
        if row["free_at"] >= member.shift.end:
            continue
        place = Point(row["latitude"], row["longitude"]) if row["latitude"] is not None else member.base
        available.append(
            StaffMember(
                staff_id=member.staff_id,
                discipline=member.discipline,
                skills=member.skills,
                base=member.base,
                shift=member.shift,
                available_from=row["free_at"],
                available_at=place,
            )
        )
    return available


async def _team_bases(conn: DbConnection) -> dict[str, Point]:
    rows = await conn.fetch("SELECT team, latitude, longitude FROM bases ORDER BY name")
    bases: dict[str, Point] = {}
    for row in rows:
        bases.setdefault(row["team"], Point(row["latitude"], row["longitude"]))
    return bases


async def _familiarity(conn: DbConnection, planning: Sequence[UUID]) -> dict[UUID, dict[UUID, int]]:
    """Per episode: who has visited (or is booked to visit) the person outside the visits being planned."""
    rows = await conn.fetch(
        """
        SELECT v.episode_id, who.staff_id, count(*) AS visits
        FROM visits v CROSS JOIN LATERAL (VALUES (v.staff_id), (v.second_staff_id)) AS who (staff_id)
        WHERE who.staff_id IS NOT NULL AND v.status <> 'cancelled' AND NOT (v.visit_id = ANY($1::uuid[]))
        GROUP BY v.episode_id, who.staff_id
        """,
        list(planning),
    )
    familiar: dict[UUID, dict[UUID, int]] = {}
    for row in rows:
        familiar.setdefault(row["episode_id"], {})[row["staff_id"]] = row["visits"]
    return familiar


MAP = ((49.0, 61.0), (-9.0, 2.0))
"""Latitude and longitude bounds of the map the planner works on (Great Britain)."""


def _on_the_map(row: Any) -> bool:
    if row["latitude"] is None or row["longitude"] is None:
        return True  # planned from the team's base
    (south, north), (west, east) = MAP
    return bool(south <= row["latitude"] <= north and west <= row["longitude"] <= east)


def _need(row: Any, window: tuple[datetime, datetime], bases: dict[str, Point], familiar: dict[UUID, int]) -> VisitNeed:
    if row["latitude"] is not None and row["longitude"] is not None:
        location = Point(row["latitude"], row["longitude"])
    else:  # a home without coordinates is planned from its team's base (travel estimated from there)
        location = bases.get(row["team"] or "") or next(iter(bases.values()))
    current = tuple(staff for staff in (row["staff_id"], row["second_staff_id"]) if staff is not None)
    return VisitNeed(
        visit_id=row["visit_id"],
        person_ref=row["episode_id"],
        location=location,
        earliest_start=max(row["earliest_start"], window[0]),
        latest_start=min(row["latest_start"], window[1]),
        duration_minutes=row["duration_minutes"],
        disciplines=disciplines_for(row["discipline"], row["purpose"]),
        required_skills=frozenset(row["required_skills"]),
        double_handed=row["double_handed"],
        urgent=row["urgent"] or row["purpose"] == FIRST_RESPONSE,
        preferred_start=row["preferred_start"],
        preferred_end=row["preferred_end"],
        familiar_staff=familiar,
        current_staff=current if row["status"] == "assigned" else (),
        current_start=row["planned_start"] if row["status"] == "assigned" else None,
        pinned_staff=current if row["pinned"] else (),
    )


async def _apply(
    conn: DbConnection,
    emitter: CaseEmitter,
    needs: list[VisitNeed],
    plan: DayPlan,
    rows: dict[UUID, Any],
    window: tuple[datetime, datetime],
    now: datetime,
) -> int:
    """Write the plan's changes and publish them; return how many visits changed."""
    changed = 0
    for change in changes(needs, plan):
        row = rows[change.visit_id]
        if change.kind == "unassigned" and row["pinned"]:
            continue  # the coordinator's pin stands; the coordinator view shows it at risk
        if _a_small_drift(change, row):
            continue
        if change.kind == "unassigned":
            await _unassign(conn, emitter, row, change.reason or "no capacity in the window", window, now)
        else:
            await _assign(conn, emitter, row, change)
        changed += 1
    for visit_id, unassigned in plan.unassigned.items():
        row = rows[visit_id]
        if row["status"] == "planned":
            changed += await _unassign(conn, emitter, row, unassigned.reason, window, now)
    return changed


SMALL_DRIFT = timedelta(minutes=10)
"""A re-plan that moves a visit by less than this keeps the time already given (the person and the
clinician were told it): only real changes are published."""


def _a_small_drift(change: PlanChange, row: Any) -> bool:
    previous = change.previous_start
    if change.kind != "rescheduled" or previous is None or change.start is None:
        return False
    return bool(abs(change.start - previous) < SMALL_DRIFT and row["earliest_start"] <= previous <= row["latest_start"])


async def _assign(conn: DbConnection, emitter: CaseEmitter, row: Any, change: PlanChange) -> None:
    assert change.start is not None
    first, second = change.staff_ids[0], (change.staff_ids[1] if len(change.staff_ids) > 1 else None)
    await conn.execute(
        """
        UPDATE visits SET status = 'assigned', staff_id = $2, second_staff_id = $3, planned_start = $4, why = $5
        WHERE visit_id = $1
        """,
        row["visit_id"],
        first,
        second,
        change.start,
        list(change.why),
    )
    await conn.execute("DELETE FROM unassigned_visits WHERE visit_id = $1", row["visit_id"])
    before = {row["staff_id"], row["second_staff_id"]} if row["status"] == "assigned" else set()
    for staff_id in change.staff_ids:
        if change.kind == "rescheduled" and staff_id in before and change.previous_start is not None:
            await emitter.emit(
                VisitRescheduled(
                    episode_id=row["episode_id"],
                    visit_id=row["visit_id"],
                    staff_id=staff_id,
                    planned_start=change.start,
                    previous_start=change.previous_start,
                    reason="re-planned",
                )
            )
        else:
            await emitter.emit(
                VisitAssigned(
                    episode_id=row["episode_id"],
                    visit_id=row["visit_id"],
                    staff_id=staff_id,
                    planned_start=change.start,
                    pinned=bool(row["pinned"]),
                    why=[reason[:200] for reason in change.why if reason][:10],
                )
            )


async def _unassign(
    conn: DbConnection, emitter: CaseEmitter, row: Any, reason: str, window: tuple[datetime, datetime], now: datetime
) -> int:
    """Take a visit off everyone's round and say why, once per reason. A routine visit whose window
    runs on past this plan's window is left for a later plan, without alarm."""
    if row["status"] == "assigned":
        await conn.execute(
            """
            UPDATE visits SET status = 'planned', staff_id = NULL, second_staff_id = NULL, planned_start = NULL, why = '{}'
            WHERE visit_id = $1
            """,
            row["visit_id"],
        )
    if row["latest_start"] > window[1] and not (row["urgent"] or row["purpose"] == FIRST_RESPONSE):
        await conn.execute("DELETE FROM unassigned_visits WHERE visit_id = $1", row["visit_id"])
        return int(row["status"] == "assigned")
    recorded = await conn.fetchval(
        """
        INSERT INTO unassigned_visits (visit_id, reason, recorded_at) VALUES ($1, $2, $3)
        ON CONFLICT (visit_id) DO UPDATE SET reason = $2, recorded_at = $3 WHERE unassigned_visits.reason <> $2
        RETURNING true
        """,
        row["visit_id"],
        reason,
        now,
    )
    if not recorded:
        return int(row["status"] == "assigned")
    await emitter.emit(
        VisitUnassignable(
            episode_id=row["episode_id"],
            visit_id=row["visit_id"],
            reason=reason[:200],
            at=now,
            urgent=bool(row["urgent"] or row["purpose"] == FIRST_RESPONSE),
        )
    )
    return 1


def rolling_window(now: datetime, hours: float) -> tuple[datetime, datetime]:
    return now, now + timedelta(hours=hours)
