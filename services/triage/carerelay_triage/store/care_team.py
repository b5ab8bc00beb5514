"""`care_team`: the staff with a visit to the person in an episode (their `assigned` access)."""

from __future__ import annotations

from uuid import UUID

from carerelay_events.db import DbConnection


async def join(conn: DbConnection, episode_id: UUID, staff_id: UUID) -> None:
    """`staff_id` has a visit in the episode (again: no change)."""
    await conn.execute(
        "INSERT INTO care_team (episode_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", episode_id, staff_id
    )


async def staff_of(conn: DbConnection, episode_id: UUID) -> frozenset[UUID]:
    rows = await conn.fetch("SELECT staff_id FROM care_team WHERE episode_id = $1", episode_id)
    return frozenset(row["staff_id"] for row in rows)
