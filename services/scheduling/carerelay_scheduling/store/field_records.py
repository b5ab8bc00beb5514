"""The clinician app's records in scheduling's database: the day's visits with the person and what
happened last time, the record of each visit, and every action once (by its Idempotency-Key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson

from carerelay_contract.envelope import CORRELATION_HEADER
from carerelay_events.db import DbConnection

LOCAL = ZoneInfo("Europe/London")
OPEN_STATUSES = ("en-route", "in-progress")
DAY_STATUSES = ("assigned", "en-route", "in-progress", "completed", "missed")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Local midnight to local midnight (a day is 23 or 25 hours long when the clocks change)."""
    start = datetime.combine(day, time(0), tzinfo=LOCAL)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL)


async def my_day(conn: DbConnection, staff_id: UUID, day: date) -> list[Any]:
    """The visits a person holds (alone or as the second of a double-handed pair) on `day`, in planned
    order, with any visit still open from before (a night visit past midnight)."""
    start, end = day_bounds(day)
    return list(
        await conn.fetch(
            """
            SELECT v.*, e.given_name, e.family_name, e.address, e.postcode, e.access_notes, e.reason, e.known_risks,
                   r.lead_discipline, vr.en_route_at, vr.expected_arrival, vr.arrived_at, vr.running_late_minutes,
                   vr.completed_at, vr.missed_at, vr.missed_reason, vr.tasks_done, vr.notes, vr.concerns,
                   vr.news2_score, vr.news2_band,
                   (SELECT s.display_name FROM staff s
                     WHERE s.staff_id = CASE WHEN v.staff_id = $1 THEN v.second_staff_id ELSE v.staff_id END) AS partner
            FROM visits v
            LEFT JOIN episodes e USING (episode_id)
            LEFT JOIN referral_state r USING (episode_id)
            LEFT JOIN visit_records vr USING (visit_id)
            WHERE (v.staff_id = $1 OR v.second_staff_id = $1) AND v.status = ANY($4::text[])
              AND ((coalesce(v.planned_start, v.earliest_start) >= $2 AND coalesce(v.planned_start, v.earliest_start) < $3)
                   OR v.status = ANY($5::text[]))
            ORDER BY coalesce(v.planned_start, v.earliest_start), v.created_at
            """,
            staff_id,
            start,
            end,
            list(DAY_STATUSES),
            list(OPEN_STATUSES),
        )
    )


async def finished_visits(conn: DbConnection, episode_ids: list[UUID]) -> list[Any]:
    """Every finished (completed or missed) visit of these episodes, latest first."""
    if not episode_ids:
        return []
    return list(
        await conn.fetch(
            """
            SELECT vr.*, coalesce(vr.completed_at, vr.missed_at) AS finished_at, s.display_name, v.purpose
            FROM visit_records vr JOIN visits v USING (visit_id) LEFT JOIN staff s ON s.staff_id = vr.staff_id
            WHERE vr.episode_id = ANY($1::uuid[]) AND (vr.completed_at IS NOT NULL OR vr.missed_at IS NOT NULL)
            ORDER BY coalesce(vr.completed_at, vr.missed_at) DESC
            """,
            episode_ids,
        )
    )


async def remember_shown(conn: DbConnection, staff_id: UUID, visit_ids: list[UUID]) -> None:
    await conn.execute(
        """
        INSERT INTO visits_shown (visit_id, staff_id) SELECT unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING
        """,
        visit_ids,
        staff_id,
    )


async def was_shown(conn: DbConnection, staff_id: UUID, visit_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT true FROM visits_shown WHERE visit_id = $1 AND staff_id = $2", visit_id, staff_id))


async def visit_for_update(conn: DbConnection, visit_id: UUID) -> Any:
    return await conn.fetchrow("SELECT * FROM visits WHERE visit_id = $1 FOR UPDATE", visit_id)


async def visit_view(conn: DbConnection, staff_id: UUID, visit_id: UUID) -> Any:
    return await conn.fetchrow(
        """
        SELECT v.*, e.given_name, e.family_name, e.address, e.postcode, e.access_notes, e.reason, e.known_risks,
               r.lead_discipline, vr.en_route_at, vr.expected_arrival, vr.arrived_at, vr.running_late_minutes,
               vr.completed_at, vr.missed_at, vr.missed_reason, vr.tasks_done, vr.notes, vr.concerns,
               vr.news2_score, vr.news2_band,
               (SELECT s.display_name FROM staff s
                 WHERE s.staff_id = CASE WHEN v.staff_id = $1 THEN v.second_staff_id ELSE v.staff_id END) AS partner
        FROM visits v LEFT JOIN episodes e USING (episode_id) LEFT JOIN referral_state r USING (episode_id)
        LEFT JOIN visit_records vr USING (visit_id)
        WHERE v.visit_id = $2
        """,
        staff_id,
        visit_id,
    )


async def holds_episode(conn: DbConnection, staff_id: UUID, episode_id: UUID) -> bool | None:
    """True if the person holds a visit in the episode; False if the episode has visits but none
    theirs; None if scheduling knows no visit of it."""
    row = await conn.fetchrow(
        """
        SELECT count(*) AS visits,
               count(*) FILTER (WHERE (staff_id = $2 OR second_staff_id = $2) AND status <> 'cancelled') AS theirs
        FROM visits WHERE episode_id = $1
        """,
        episode_id,
        staff_id,
    )
    if row is None or row["visits"] == 0:
        return None
    return bool(row["theirs"])


# ---------------------------------------------------------------- the action log (idempotency)


@dataclass(frozen=True)
class Replay:
    """An action already taken with this key: the same person and target get the first result."""

    matches: bool
    result: dict[str, Any]


async def claim_key(conn: DbConnection, key: UUID) -> None:
    """Serialise concurrent requests with the same key (a retry racing the first attempt)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", str(key))


async def earlier(conn: DbConnection, key: UUID, staff_id: UUID, action: str, target: UUID) -> Replay | None:
    row = await conn.fetchrow("SELECT * FROM field_actions WHERE idempotency_key = $1", key)
    if row is None:
        return None
    same = row["staff_id"] == staff_id and row["action"] == action and target in (row["visit_id"], row["episode_id"])
    result: dict[str, Any] = orjson.loads(row["result"])
    return Replay(same, result)


async def log_action(
    conn: DbConnection,
    key: UUID,
    staff_id: UUID,
    action: str,
    episode_id: UUID,
    visit_id: UUID | None,
    taken_at: datetime,
    body: dict[str, Any],
    result: dict[str, Any],
    event_ids: list[str],
) -> None:
    await conn.execute(
        """
        INSERT INTO field_actions (idempotency_key, staff_id, action, episode_id, visit_id, taken_at, body, result, event_ids)
        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)
        """,
        key,
        staff_id,
        action,
        episode_id,
        visit_id,
        taken_at,
        orjson.dumps(body).decode(),
        orjson.dumps(result).decode(),
        event_ids,
    )


# ---------------------------------------------------------------- the visit's record


async def update_record(conn: DbConnection, visit: Any, staff_id: UUID, **changes: Any) -> None:
    """Set the given columns of the visit's record (made on first use). `notes` is appended to."""
    await conn.execute(
        "INSERT INTO visit_records (visit_id, episode_id, staff_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        visit["visit_id"],
        visit["episode_id"],
        staff_id,
    )
    sets: list[str] = ["updated_at = now()"]
    values: list[Any] = [visit["visit_id"]]
    for column, value in changes.items():
        values.append(value)
        if column == "notes":
            sets.append(f"notes = notes || ${len(values)}::text[]")
        else:
            sets.append(f"{column} = ${len(values)}")
    await conn.execute(f"UPDATE visit_records SET {', '.join(sets)} WHERE visit_id = $1", *values)


async def set_status(conn: DbConnection, visit_id: UUID, status: str) -> None:
    await conn.execute("UPDATE visits SET status = $2 WHERE visit_id = $1", visit_id, status)


async def insert_assessment(conn: DbConnection, **columns: Any) -> None:
    observations = columns.get("observations")
    if observations is not None:
        columns["observations"] = orjson.dumps(observations).decode()
    names = list(columns)
    placeholders = [f"${i + 1}::jsonb" if name == "observations" else f"${i + 1}" for i, name in enumerate(names)]
    await conn.execute(
        f"INSERT INTO assessments ({', '.join(names)}) VALUES ({', '.join(placeholders)})", *[columns[n] for n in names]
    )


async def active_consent(conn: DbConnection, episode_id: UUID, scope: str) -> UUID | None:
    consent_id: UUID | None = await conn.fetchval(
        """
        SELECT consent_id FROM consents WHERE episode_id = $1 AND scope = $2 AND withdrawn_at IS NULL
        ORDER BY recorded_at DESC LIMIT 1
        """,
        episode_id,
        scope,
    )
    return consent_id


async def lead_discipline(conn: DbConnection, episode_id: UUID) -> str | None:
    lead: str | None = await conn.fetchval("SELECT lead_discipline FROM referral_state WHERE episode_id = $1", episode_id)
    return lead


async def active_care_plan(conn: DbConnection, episode_id: UUID) -> UUID | None:
    plan: UUID | None = await conn.fetchval(
        "SELECT care_plan_id FROM care_plans WHERE episode_id = $1 AND active ORDER BY agreed_at DESC LIMIT 1", episode_id
    )
    return plan


# ---------------------------------------------------------------- the case's trace and correlation id


async def case_context(conn: DbConnection, episode_id: UUID) -> tuple[str | None, dict[str, str]]:
    """The case's correlation id and trace context, from the last event scheduling emitted for the
    episode (in the case's trace, as it was emitted while handling the case's events)."""
    raw = await conn.fetchval("SELECT headers FROM event_outbox WHERE record_key = $1 ORDER BY seq DESC LIMIT 1", str(episode_id))
    if raw is None:
        return None, {}
    headers = {str(name): str(value) for name, value in orjson.loads(raw)}
    trace: dict[str, str] = {name: headers[name] for name in ("traceparent", "tracestate") if name in headers}
    return headers.get(CORRELATION_HEADER), trace
