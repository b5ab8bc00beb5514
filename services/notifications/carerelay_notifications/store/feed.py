"""`screen_feed`: every event a screen may show, appended in order (its `seq` is the SSE event id a
reconnecting screen resumes from), ids only. Filtering follows the access matrix: the hub sees every
episode, a coordinator their team's, field staff the people they are assigned to, an integrator its
own submissions."""

from __future__ import annotations

from typing import Any

from carerelay_access.identity import Principal
from carerelay_access.matrix import Scope, scope_filter
from carerelay_events.db import DbConnection

from ..domain.feed import FeedEntry
from .access import scope_clauses

CHANNEL = "carerelay_screen_feed"
"""NOTIFY'd with each new entry: it wakes the open streams."""

VISIBLE = scope_clauses("f", Scope.TEAM, Scope.ASSIGNED, Scope.OWN_SUBMISSIONS)


async def append(conn: DbConnection, entry: FeedEntry) -> None:
    """Add the entry (once per event) and wake the streams, in the caller's transaction."""
    await conn.execute(
        """
        INSERT INTO screen_feed (event_id, episode_id, type, at, referral_id, visit_id, staff_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING
        """,
        entry.event_id,
        entry.episode_id,
        entry.type,
        entry.at,
        entry.referral_id,
        entry.visit_id,
        entry.staff_id,
    )
    await conn.execute("SELECT pg_notify($1, '')", CHANNEL)


def visible_filter(principal: Principal, scopes: set[Scope], first_param: int) -> tuple[str, list[Any]]:
    """A SQL condition on `f` (screen_feed) admitting the rows the caller may see."""
    return scope_filter(principal, scopes, first_param, VISIBLE)


async def newest(conn: DbConnection) -> int:
    """The position of the newest entry (0 when there is none): where a new stream starts."""
    seq: int = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM screen_feed")
    return seq


async def after(
    conn: DbConnection, seq: int, visible: str, params: list[Any], holes: list[int] | None = None
) -> list[dict[str, Any]]:
    """Up to 500 entries after position `seq`, or at one of the positions `holes` (skipped over
    earlier), that the condition `visible` admits, oldest first, as the stream sends them.
    `visible` numbers its parameters from $3."""
    rows = await conn.fetch(
        f"SELECT * FROM screen_feed f WHERE (f.seq > $1 OR f.seq = ANY($2::bigint[])) AND {visible} ORDER BY f.seq LIMIT 500",
        seq,
        holes or [],
        *params,
    )
    return [
        {
            "seq": row["seq"],
            "type": row["type"],
            "data": {
                "episode_id": str(row["episode_id"]),
                "referral_id": str(row["referral_id"]) if row["referral_id"] else None,
                "visit_id": str(row["visit_id"]) if row["visit_id"] else None,
                "staff_id": str(row["staff_id"]) if row["staff_id"] else None,
                "type": row["type"],
                "at": row["at"].isoformat(),
            },
        }
        for row in rows
    ]
