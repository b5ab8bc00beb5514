"""The clinician app's records: the day's visits with the person and what happened last time, the
record of each visit (`visit_records`), assessments, consents, which visits each phone was shown
(`visits_shown`), and the action log (`field_actions`: every action once, with its body and result)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from carerelay_contract.vocabulary import ConsentScope, EpisodeOutcome
from carerelay_events.db import DbConnection

from ..domain.actions.outcome import Closure, Episode, EpisodeChange, Recommendation, Visit, VisitOutcome
from ..domain.live_plan import OPEN
from ..domain.rota import local_day
from . import care_plan_changes, care_plans, episodes

OPEN_STATUSES = ("en-route", "in-progress")
DAY_STATUSES = ("assigned", "en-route", "in-progress", "completed", "missed")

_MY_VISIT = """
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
"""
"""A visit as its clinician's phone shows it ($1: the clinician), with the person and the record so far."""


async def my_day(conn: DbConnection, staff_id: UUID, day: date) -> list[Any]:
    """The visits a person holds (alone or as the second of a double-handed pair) on `day`, in planned
    order, with any visit still open from before (a night visit past midnight)."""
    start, end = local_day(day)
    return list(
        await conn.fetch(
            _MY_VISIT
            + """
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


async def visit_view(conn: DbConnection, staff_id: UUID, visit_id: UUID) -> Any:
    return await conn.fetchrow(_MY_VISIT + " WHERE v.visit_id = $2", staff_id, visit_id)


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


# ---------------------------------------------------------------- a visit's record


async def visit_for_update(conn: DbConnection, visit_id: UUID) -> Visit | None:
    """The visit, locked until the transaction ends (actions on one visit take turns), with its notes."""
    row: Any = await conn.fetchrow(
        """
        SELECT v.visit_id, v.episode_id, v.status, v.staff_id, v.second_staff_id, v.planned_start, v.latest_start, vr.notes
        FROM visits v LEFT JOIN visit_records vr USING (visit_id) WHERE v.visit_id = $1 FOR UPDATE OF v
        """,
        visit_id,
    )
    if row is None:
        return None
    return Visit(
        visit_id=row["visit_id"],
        episode_id=row["episode_id"],
        status=row["status"],
        staff_id=row["staff_id"],
        second_staff_id=row["second_staff_id"],
        planned_start=row["planned_start"],
        latest_start=row["latest_start"],
        notes=tuple(row["notes"] or ()),
    )


async def write_visit_outcome(conn: DbConnection, visit: Visit, staff_id: UUID, outcome: VisitOutcome) -> None:
    """Write what the action changes: the record's columns (the record is made on first use; notes are
    added to those already there) and any assessment taken."""
    record = outcome.record
    if record.sets or record.notes:
        await conn.execute(
            "INSERT INTO visit_records (visit_id, episode_id, staff_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            visit.visit_id,
            visit.episode_id,
            staff_id,
        )
        sets: list[str] = ["updated_at = now()"]
        values: list[Any] = [visit.visit_id]
        for column, value in record.sets.items():  # the columns are RecordColumn's names, never input
            values.append(value)
            sets.append(f"{column} = ${len(values)}")
        if record.notes:
            values.append(list(record.notes))
            sets.append(f"notes = notes || ${len(values)}::text[]")
        await conn.execute(f"UPDATE visit_records SET {', '.join(sets)} WHERE visit_id = $1", *values)
    taken = outcome.assessment
    if taken is not None:
        await conn.execute(
            """
            INSERT INTO assessments (assessment_id, episode_id, visit_id, staff_id, kind, recorded_at, observations,
                                     news2_score, news2_band, clinical_frailty_scale, summary, serious_concern)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12)
            """,
            taken.assessment_id,
            taken.episode_id,
            taken.visit_id,
            taken.staff_id,
            taken.kind,
            taken.recorded_at,
            None if taken.observations is None else orjson.dumps(taken.observations).decode(),
            taken.news2_score,
            taken.news2_band,
            taken.clinical_frailty_scale,
            taken.summary,
            taken.serious_concern,
        )


async def set_status(conn: DbConnection, visit_id: UUID, status: str) -> None:
    await conn.execute("UPDATE visits SET status = $2 WHERE visit_id = $1", visit_id, status)


# ---------------------------------------------------------------- the episode's records


async def episode(conn: DbConnection, episode_id: UUID, *, closing: bool = False) -> Episode:
    """What the episode actions need: the lead discipline, the active care plan, the consent in force, the
    hub's acceptance (or care already planned, e.g. a caseload taken on with its care plan), the open visits
    (locked when `closing`: it cancels exactly these), the discharge recommendations and the closure."""
    known = await episodes.known(conn, episode_id)
    rows = await conn.fetch(
        """
        SELECT DISTINCT ON (scope) scope, consent_id FROM consents WHERE episode_id = $1 AND withdrawn_at IS NULL
        ORDER BY scope, recorded_at DESC
        """,
        episode_id,
    )
    lock = " FOR UPDATE" if closing else ""
    open_visits = await conn.fetch(
        f"SELECT visit_id FROM visits WHERE episode_id = $1 AND status = ANY($2::text[]) ORDER BY earliest_start{lock}",
        episode_id,
        list(OPEN),
    )
    recommended = await conn.fetch(
        "SELECT * FROM discharge_recommendations WHERE episode_id = $1 ORDER BY recommended_at", episode_id
    )
    closed = await conn.fetchrow("SELECT * FROM episode_closures WHERE episode_id = $1", episode_id)
    accepted = await conn.fetchval(
        """
        SELECT coalesce((SELECT accepted FROM referral_state WHERE episode_id = $1), false)
            OR EXISTS (SELECT 1 FROM visits WHERE episode_id = $1)
        """,
        episode_id,
    )
    return Episode(
        episode_id=episode_id,
        lead_discipline=known.lead_discipline if known else None,
        care_plan_id=await care_plans.active_plan_of(conn, episode_id),
        consents={ConsentScope(row["scope"]): row["consent_id"] for row in rows},
        accepted=bool(accepted),
        open_visits=tuple(row["visit_id"] for row in open_visits),
        recommendations={
            row["recommendation_id"]: Recommendation(
                row["recommendation_id"],
                EpisodeOutcome(row["outcome"]),
                row["summary"],
                row["recommended_at"],
                row["recommended_by"],
            )
            for row in recommended
        },
        closure=None
        if closed is None
        else Closure(
            EpisodeOutcome(closed["outcome"]),
            closed["summary"],
            closed["closed_at"],
            closed["closed_by"],
            closed["closed_by_name"],
            closed["recommendation_id"],
        ),
    )


async def write_episode_change(conn: DbConnection, episode_id: UUID, change: EpisodeChange) -> None:
    given = change.consent_given
    if given is not None:
        await conn.execute(
            """
            INSERT INTO consents (consent_id, episode_id, scope, family_contact_id, recorded_at, recorded_by)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            given.consent_id,
            episode_id,
            given.scope.value,
            given.family_contact_id,
            given.recorded_at,
            given.recorded_by,
        )
    if change.consent_withdrawn is not None:
        consent_id, at = change.consent_withdrawn
        await conn.execute("UPDATE consents SET withdrawn_at = $2 WHERE consent_id = $1", consent_id, at)
    if change.lead is not None:
        await episodes.set_lead(conn, episode_id, change.lead)
    kept = change.recommended
    if kept is not None:
        await conn.execute(
            """
            INSERT INTO discharge_recommendations (recommendation_id, episode_id, outcome, summary, recommended_at,
                                                   recommended_by)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            kept.recommendation_id,
            episode_id,
            kept.outcome.value,
            kept.summary,
            kept.recommended_at,
            kept.recommended_by,
        )
    if change.proposed is not None:
        await care_plan_changes.keep(conn, change.proposed)
    if change.closed is not None:
        await close(conn, episode_id, change.closed, change.cancelled_visits)


async def close(conn: DbConnection, episode_id: UUID, closure: Closure, cancelled_visits: tuple[UUID, ...]) -> None:
    """The episode closed (the primary key refuses a second closing): its open visits cancelled, its care
    plans no longer making visits, its referral no longer planned for."""
    await conn.execute(
        """
        INSERT INTO episode_closures (episode_id, outcome, summary, closed_at, closed_by, closed_by_name, recommendation_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        episode_id,
        closure.outcome.value,
        closure.summary,
        closure.closed_at,
        closure.closed_by,
        closure.closed_by_name,
        closure.recommendation_id,
    )
    await conn.execute("UPDATE visits SET status = 'cancelled' WHERE visit_id = ANY($1::uuid[])", list(cancelled_visits))
    await conn.execute("UPDATE care_plans SET active = false WHERE episode_id = $1", episode_id)
    await conn.execute("UPDATE referral_state SET closed = true WHERE episode_id = $1", episode_id)


# ---------------------------------------------------------------- the action log


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
    """Every action once: who, what, when it was taken on the phone, what was recorded and answered, and
    the events it published (the idempotency of the request itself is carerelay_service.idempotency's)."""
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
