"""The visits (`visits`) and those nobody could take (`unassigned_visits`): made, planned, pinned,
cancelled; read for the planner, the coordinator's day and the lists of visits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_access.identity import Principal
from carerelay_access.matrix import RecordFacts, Scope
from carerelay_events.db import DbConnection

from ..domain.first_response import LeadVisit
from ..domain.live_plan import OPEN, Busy, OpenVisit
from ..domain.planner.input import Point
from . import episodes
from .visibility import visit_filter

BUSY = ("en-route", "in-progress")
"""A visit under way: its clinician is busy until it ends."""


async def add_lead_visit(conn: DbConnection, visit: LeadVisit) -> bool:
    """Add the visit; False when the referral already has its first response (nothing is added)."""
    inserted = await conn.fetchval(
        """
        INSERT INTO visits (visit_id, episode_id, referral_id, purpose, discipline, earliest_start, latest_start,
                            duration_minutes, deadline, status, urgent)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'planned', $10)
        ON CONFLICT (referral_id) WHERE purpose = 'first-response' DO NOTHING RETURNING true
        """,
        visit.visit_id,
        visit.episode_id,
        visit.referral_id,
        visit.purpose.value,
        visit.discipline,
        visit.earliest_start,
        visit.latest_start,
        visit.duration_minutes,
        visit.deadline,
        visit.urgent,
    )
    return bool(inserted)


async def cancel_open(conn: DbConnection, episode_id: UUID) -> list[UUID]:
    """Cancel the episode's visits not yet under way; return their ids."""
    rows = await conn.fetch(
        """
        UPDATE visits SET status = 'cancelled' WHERE episode_id = $1 AND status = ANY($2::text[])
        RETURNING visit_id
        """,
        episode_id,
        list(OPEN),
    )
    return [row["visit_id"] for row in rows]


async def cancel(conn: DbConnection, visit_id: UUID) -> None:
    await conn.execute("UPDATE visits SET status = 'cancelled' WHERE visit_id = $1", visit_id)


async def holders(conn: DbConnection, episode_id: UUID) -> frozenset[UUID] | None:
    """Who holds a visit of the episode (not cancelled); nobody once the episode is closed (the access that
    came from it ends); None when scheduling knows no visit of it at all."""
    rows = await conn.fetch("SELECT staff_id, second_staff_id, status FROM visits WHERE episode_id = $1", episode_id)
    if not rows:
        return None
    if await episodes.is_closed(conn, episode_id):
        return frozenset()
    return frozenset(
        staff for row in rows if row["status"] != "cancelled" for staff in (row["staff_id"], row["second_staff_id"]) if staff
    )


async def episode_facts(conn: DbConnection, episode_id: UUID) -> RecordFacts | None:
    """What the access matrix decides an action on the episode by: the person's team and who holds its
    visits (nobody once it is closed); None when scheduling knows neither the episode nor a visit of it."""
    known = await episodes.known(conn, episode_id)
    found = await holders(conn, episode_id)
    if known is None and found is None:
        return None
    return RecordFacts(team=known.team if known else None, assigned_staff=found or frozenset())


# ---------------------------------------------------------------- for the planner


async def open_in(conn: DbConnection, window: tuple[datetime, datetime]) -> list[OpenVisit]:
    """The open visits of the window, earliest first. An assignment later than the window stays as it is."""
    rows = await conn.fetch(
        """
        SELECT v.*, e.latitude, e.longitude, e.team FROM visits v LEFT JOIN episodes e USING (episode_id)
        WHERE v.status = ANY($1::text[]) AND v.earliest_start < $3 AND v.latest_start >= $2
          AND (v.status = 'planned' OR v.planned_start < $3)
        ORDER BY v.earliest_start, v.visit_id
        """,
        list(OPEN),
        *window,
    )
    return [_open_visit(row) for row in rows]


def _open_visit(row: Any) -> OpenVisit:
    return OpenVisit(
        visit_id=row["visit_id"],
        episode_id=row["episode_id"],
        purpose=row["purpose"],
        discipline=row["discipline"],
        status=row["status"],
        earliest_start=row["earliest_start"],
        latest_start=row["latest_start"],
        duration_minutes=row["duration_minutes"],
        required_skills=frozenset(row["required_skills"]),
        double_handed=row["double_handed"],
        marked_urgent=row["urgent"],
        preferred_start=row["preferred_start"],
        preferred_end=row["preferred_end"],
        staff_id=row["staff_id"],
        second_staff_id=row["second_staff_id"],
        planned_start=row["planned_start"],
        pinned=row["pinned"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        team=row["team"],
    )


async def busy_staff(conn: DbConnection, at: datetime) -> dict[UUID, Busy]:
    """Staff in (or on the way to) a visit at `at`, with when and where they are next free: the end of
    that visit (an overrunning one: 15 minutes after `at`), at the home of their latest."""
    rows = await conn.fetch(
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
          AND (v.status = ANY($2::text[])
               OR (v.status = 'assigned' AND v.latest_start < $1
                   AND v.planned_start + make_interval(mins => v.duration_minutes) > $1))
        GROUP BY who.staff_id
        """,
        at,
        list(BUSY),
    )
    return {
        row["staff_id"]: Busy(row["free_at"], Point(row["latitude"], row["longitude"]) if row["latitude"] is not None else None)
        for row in rows
    }


async def familiarity(conn: DbConnection, planning: Sequence[UUID]) -> dict[UUID, dict[UUID, int]]:
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


async def assign(conn: DbConnection, visit_id: UUID, staff_ids: Sequence[UUID], start: datetime, why: Sequence[str]) -> None:
    """Give the visit to one person (or two) at `start`; it is no longer unassigned."""
    await conn.execute(
        """
        UPDATE visits SET status = 'assigned', staff_id = $2, second_staff_id = $3, planned_start = $4, why = $5
        WHERE visit_id = $1
        """,
        visit_id,
        staff_ids[0],
        staff_ids[1] if len(staff_ids) > 1 else None,
        start,
        list(why),
    )
    await clear_unassigned(conn, visit_id)


async def take_off_round(conn: DbConnection, visit_id: UUID) -> None:
    """The visit is nobody's again."""
    await conn.execute(
        """
        UPDATE visits SET status = 'planned', staff_id = NULL, second_staff_id = NULL, planned_start = NULL, why = '{}'
        WHERE visit_id = $1
        """,
        visit_id,
    )


async def clear_unassigned(conn: DbConnection, visit_id: UUID) -> None:
    await conn.execute("DELETE FROM unassigned_visits WHERE visit_id = $1", visit_id)


async def note_unassigned(conn: DbConnection, visit_id: UUID, reason: str, now: datetime) -> bool:
    """Record why nobody can take the visit; False when that was already the reason recorded."""
    recorded = await conn.fetchval(
        """
        INSERT INTO unassigned_visits (visit_id, reason, recorded_at) VALUES ($1, $2, $3)
        ON CONFLICT (visit_id) DO UPDATE SET reason = $2, recorded_at = $3 WHERE unassigned_visits.reason <> $2
        RETURNING true
        """,
        visit_id,
        reason,
        now,
    )
    return bool(recorded)


async def mark_overruns(conn: DbConnection, now: datetime) -> int:
    """Mark visits newly past their planned end while still in progress; return how many."""
    rows = await conn.fetch(
        """
        UPDATE visits SET overrun_noted = true
        WHERE status = 'in-progress' AND NOT overrun_noted
          AND planned_start + make_interval(mins => duration_minutes) < $1
        RETURNING visit_id
        """,
        now,
    )
    return len(rows)


# ---------------------------------------------------------------- for the coordinator and the lists


async def visible(
    conn: DbConnection,
    principal: Principal,
    scopes: set[Scope],
    staff_id: UUID | None,
    episode_id: UUID | None,
    limit: int,
) -> list[Any]:
    """The visits the caller may see, optionally by staff member or episode, earliest first, with any
    unassigned reason."""
    seen, params = visit_filter(principal, scopes, first_param=4)
    return list(
        await conn.fetch(
            f"""
            SELECT v.*, u.reason AS unassigned_reason FROM visits v
            LEFT JOIN unassigned_visits u USING (visit_id) LEFT JOIN staff s ON s.staff_id = v.staff_id
            WHERE ($1::uuid IS NULL OR v.staff_id = $1) AND ($2::uuid IS NULL OR v.episode_id = $2) AND {seen}
            ORDER BY v.planned_start NULLS LAST, v.created_at LIMIT $3
            """,
            staff_id,
            episode_id,
            limit,
            *params,
        )
    )


async def of_the_day(
    conn: DbConnection, principal: Principal, scopes: set[Scope], window: tuple[datetime, datetime]
) -> list[Any]:
    """The visits of a planning day the caller may see (not cancelled), with the person and any unassigned reason."""
    seen, params = visit_filter(principal, scopes, first_param=3)
    return list(
        await conn.fetch(
            f"""
            SELECT v.*, u.reason AS unassigned_reason, e.given_name, e.family_name, e.postcode
            FROM visits v LEFT JOIN unassigned_visits u USING (visit_id) LEFT JOIN episodes e USING (episode_id)
            LEFT JOIN staff s ON s.staff_id = v.staff_id
            WHERE v.status <> 'cancelled' AND coalesce(v.planned_start, v.earliest_start) < $2
              AND coalesce(v.planned_start, v.latest_start) >= $1 AND {seen}
            ORDER BY v.planned_start NULLS LAST, v.earliest_start
            """,
            *window,
            *params,
        )
    )


async def one_of_the_day(conn: DbConnection, visit_id: UUID) -> Any:
    """One visit as the coordinator's day shows it."""
    return await conn.fetchrow(
        """
        SELECT v.*, u.reason AS unassigned_reason, e.given_name, e.family_name, e.postcode FROM visits v
        LEFT JOIN unassigned_visits u USING (visit_id) LEFT JOIN episodes e USING (episode_id) WHERE v.visit_id = $1
        """,
        visit_id,
    )


async def to_move(conn: DbConnection, principal: Principal, scopes: set[Scope], visit_id: UUID) -> Any:
    """The visit, locked, if the caller may plan it; None otherwise."""
    seen, params = visit_filter(principal, scopes, first_param=2)
    return await conn.fetchrow(
        f"""
        SELECT v.* FROM visits v LEFT JOIN staff s ON s.staff_id = v.staff_id
        WHERE v.visit_id = $1 AND {seen} FOR UPDATE OF v
        """,
        visit_id,
        *params,
    )


async def pin(conn: DbConnection, visit_id: UUID, staff_ids: Sequence[UUID]) -> None:
    """Pin the visit to these people (it is theirs once it has a time)."""
    await conn.execute(
        """
        UPDATE visits SET pinned = true, staff_id = $2, second_staff_id = $3,
                          status = CASE WHEN planned_start IS NULL THEN status ELSE 'assigned' END,
                          why = ARRAY['pinned by the coordinator']
        WHERE visit_id = $1
        """,
        visit_id,
        staff_ids[0],
        staff_ids[1] if len(staff_ids) > 1 else None,
    )


async def unpin(conn: DbConnection, principal: Principal, scopes: set[Scope], visit_id: UUID) -> bool:
    """Unpin the visit if the caller may plan it; False when there is no such visit for them."""
    seen, params = visit_filter(principal, scopes, first_param=2)
    updated = await conn.fetchval(
        f"""
        UPDATE visits v SET pinned = false FROM visits v2 LEFT JOIN staff s ON s.staff_id = v2.staff_id
        WHERE v.visit_id = $1 AND v2.visit_id = v.visit_id AND {seen} RETURNING true
        """,
        visit_id,
        *params,
    )
    return bool(updated)


async def release_pins_in(conn: DbConnection, staff_id: UUID, starts_at: datetime, ends_at: datetime) -> None:
    """The absent person's visits in the absence go back to the planner (pins included)."""
    await conn.execute(
        """
        UPDATE visits SET pinned = false WHERE status = 'assigned' AND (staff_id = $1 OR second_staff_id = $1)
          AND planned_start < $3 AND planned_start + make_interval(mins => duration_minutes) > $2
        """,
        staff_id,
        starts_at,
        ends_at,
    )
