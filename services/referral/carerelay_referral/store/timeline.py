"""Each episode's timeline: one line per event, in order (migration 003_board.sql)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_events.db import DbConnection


async def add_to_timeline(conn: DbConnection, event_id: str, episode_id: UUID, at: datetime, kind: str, summary: str) -> None:
    """Once per event: a redelivered event adds no second line."""
    await conn.execute(
        "INSERT INTO timeline (event_id, episode_id, at, type, summary) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        event_id,
        episode_id,
        at,
        kind,
        summary,
    )


async def timeline(conn: DbConnection, episode_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT at, type, summary FROM timeline WHERE episode_id = $1 ORDER BY at, event_id", episode_id)
    return [{"at": row["at"].isoformat(), "type": row["type"], "summary": row["summary"]} for row in rows]
