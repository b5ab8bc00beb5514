"""Who is on each episode's care team, learned from `visit.assigned`: they have `assigned` access
to the episode's referral (the query side is in `store.access`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from carerelay_events.db import DbConnection


async def add_to_care_team(conn: DbConnection, episode_id: UUID, staff_id: UUID, since: datetime) -> None:
    await conn.execute(
        "INSERT INTO care_team (episode_id, staff_id, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        episode_id,
        staff_id,
        since,
    )


async def end_care_team(conn: DbConnection, episode_id: UUID, at: datetime) -> None:
    """The episode closed: its care team's access ends (the rows stay, for who had access when)."""
    await conn.execute("UPDATE care_team SET ended_at = $2 WHERE episode_id = $1 AND ended_at IS NULL", episode_id, at)
