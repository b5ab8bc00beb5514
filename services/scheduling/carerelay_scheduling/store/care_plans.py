"""Care plans (`care_plans`: the agreed lines as JSON, what the person declined) and the visits made
from them (one per slot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from carerelay_contract.episode import CarePlanAgreed, CarePlanUpdated
from carerelay_contract.parts import RecurringVisit
from carerelay_events.db import DbConnection

from ..domain.care_plans import MadeVisit, Slot
from ..domain.live_plan import OPEN


async def keep(conn: DbConnection, event: CarePlanAgreed | CarePlanUpdated) -> None:
    """Keep the plan as agreed (or updated); a plan with no lines is no longer active."""
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


@dataclass(frozen=True)
class ActivePlan:
    care_plan_id: UUID
    episode_id: UUID
    lines: list[RecurringVisit]
    resume_after: datetime | None = None
    """After a hospital discharge, the reassessment's deadline: no visits are made before it."""


async def active(conn: DbConnection) -> list[ActivePlan]:
    """The plans making visits: active, and the person not in hospital."""
    plans = await conn.fetch(
        """
        SELECT p.care_plan_id, p.episode_id, p.lines,
               (SELECT max(h.resume_after) FROM hospital_stays h WHERE h.episode_id = p.episode_id) AS resume_after
        FROM care_plans p
        WHERE p.active
          AND NOT EXISTS (SELECT 1 FROM hospital_stays h WHERE h.episode_id = p.episode_id AND h.discharged_at IS NULL)
        """
    )
    found = []
    for plan in plans:
        raw = plan["lines"]
        lines = [RecurringVisit.model_validate(line) for line in (orjson.loads(raw) if isinstance(raw, str) else raw)]
        found.append(ActivePlan(plan["care_plan_id"], plan["episode_id"], lines, plan["resume_after"]))
    return found


async def active_plan_of(conn: DbConnection, episode_id: UUID) -> UUID | None:
    """The episode's active care plan (the latest agreed), if any."""
    plan: UUID | None = await conn.fetchval(
        "SELECT care_plan_id FROM care_plans WHERE episode_id = $1 AND active ORDER BY agreed_at DESC LIMIT 1", episode_id
    )
    return plan


async def made_after(conn: DbConnection, care_plan_id: UUID, now: datetime) -> list[MadeVisit]:
    """The plan's open visits whose window starts after now."""
    rows: list[Any] = await conn.fetch(
        """
        SELECT visit_id, earliest_start, discipline FROM visits
        WHERE care_plan_id = $1 AND status = ANY($3::text[]) AND earliest_start > $2
        """,
        care_plan_id,
        now,
        list(OPEN),
    )
    return [MadeVisit(row["visit_id"], row["earliest_start"], row["discipline"]) for row in rows]


async def add_visit(
    conn: DbConnection, visit_id: UUID, episode_id: UUID, care_plan_id: UUID, line: RecurringVisit, slot: Slot
) -> bool:
    """Add the slot's visit; False when the plan already has one for it (nothing is added)."""
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
    return bool(inserted)
