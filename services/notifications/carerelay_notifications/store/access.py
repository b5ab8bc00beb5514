"""`episode_access` and `episode_staff`: what decides who may see an episode (its team, the integrator
that sent its referral, the staff assigned to the person), kept from the events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_access.matrix import Scope
from carerelay_events.db import DbConnection

SCOPES: dict[Scope, str] = {
    Scope.TEAM: "{alias}.episode_id IN (SELECT episode_id FROM episode_access WHERE team = {{}})",
    Scope.ASSIGNED: "{alias}.episode_id IN (SELECT episode_id FROM episode_staff WHERE staff_id = {{}} AND ended_at IS NULL)",
    Scope.OWN_SUBMISSIONS: "{alias}.episode_id IN (SELECT episode_id FROM episode_access WHERE submitted_by = {{}})",
    Scope.PRACTICE: "{alias}.episode_id IN (SELECT episode_id FROM episode_patients WHERE gp_practice_code = {{}})",
}


def scope_clauses(alias: str, *scopes: Scope) -> dict[Scope, str]:
    """SQL conditions on `<alias>.episode_id` for `carerelay_access.matrix.scope_filter`, by scope."""
    return {scope: SCOPES[scope].format(alias=alias) for scope in scopes}


async def remember_referral(
    conn: DbConnection, episode_id: UUID, referral_id: UUID, team: str | None, submitted_by: str | None
) -> None:
    await conn.execute(
        """
        INSERT INTO episode_access (episode_id, referral_id, team, submitted_by) VALUES ($1, $2, $3, $4)
        ON CONFLICT (episode_id) DO UPDATE SET referral_id = $2, team = $3, submitted_by = $4
        """,
        episode_id,
        referral_id,
        team,
        submitted_by,
    )


async def remember_staff(conn: DbConnection, episode_id: UUID, staff_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO episode_staff (episode_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", episode_id, staff_id
    )


async def end_staff_access(conn: DbConnection, episode_id: UUID, at: datetime) -> None:
    """The episode closed: its assigned staff's access ends (the rows stay, for who had access when)."""
    await conn.execute("UPDATE episode_staff SET ended_at = $2 WHERE episode_id = $1 AND ended_at IS NULL", episode_id, at)


async def _access(conn: DbConnection, episode_id: UUID, column: str) -> Any:
    return await conn.fetchval(f"SELECT {column} FROM episode_access WHERE episode_id = $1", episode_id)


async def referral_of(conn: DbConnection, episode_id: UUID) -> UUID | None:
    found: UUID | None = await _access(conn, episode_id, "referral_id")
    return found


async def team(conn: DbConnection, episode_id: UUID) -> str | None:
    found: str | None = await _access(conn, episode_id, "team")
    return found


async def submitted_by(conn: DbConnection, episode_id: UUID) -> str | None:
    """The integrator that sent the episode's referral; None when the hub took it (or it was never seen)."""
    found: str | None = await _access(conn, episode_id, "submitted_by")
    return found
