"""`visits`: what the visit events said about each visit (purpose, discipline, deadline, who, when)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from carerelay_events.db import DbConnection

from ..domain.visits import KnownVisit


async def remember(
    conn: DbConnection, visit_id: UUID, episode_id: UUID, status: str, **facts: str | UUID | datetime | None
) -> None:
    """Upsert the visit's status and the `facts` given (column names; others are left as they were)."""
    columns = ["visit_id", "episode_id", "status", *facts]
    values = [visit_id, episode_id, status, *facts.values()]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[2:])
    placeholders = ", ".join(f"${number}" for number in range(1, len(values) + 1))
    await conn.execute(
        f"INSERT INTO visits ({', '.join(columns)}) VALUES ({placeholders}) ON CONFLICT (visit_id) DO UPDATE SET {updates}",
        *values,
    )


async def get(conn: DbConnection, visit_id: UUID) -> KnownVisit | None:
    row = await conn.fetchrow("SELECT * FROM visits WHERE visit_id = $1", visit_id)
    if row is None:
        return None
    return KnownVisit(
        visit_id=row["visit_id"],
        episode_id=row["episode_id"],
        status=row["status"],
        purpose=row["purpose"],
        discipline=row["discipline"],
        deadline=row["deadline"],
        staff_id=row["staff_id"],
        planned_start=row["planned_start"],
    )


async def had_an_assigned_visit(conn: DbConnection, episode_id: UUID, other_than: UUID) -> bool:
    """Whether another visit of the episode was ever given to someone."""
    found = await conn.fetchval(
        "SELECT true FROM visits WHERE episode_id = $1 AND visit_id <> $2 AND staff_id IS NOT NULL LIMIT 1",
        episode_id,
        other_than,
    )
    return bool(found)
