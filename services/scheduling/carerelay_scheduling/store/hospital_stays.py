"""Hospital stays (`hospital_stays`): one open stay per episode at most; the latest discharge's
`resume_after` says from when the care plan's visits are made again."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from carerelay_events.db import DbConnection


async def admit(conn: DbConnection, episode_id: UUID, encounter: str, hospital: str, at: datetime) -> bool:
    """False when the person is already in hospital (nothing changes)."""
    inserted = await conn.fetchval(
        """
        INSERT INTO hospital_stays (episode_id, hospital_encounter_id, hospital, admitted_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT DO NOTHING RETURNING true
        """,
        episode_id,
        encounter,
        hospital,
        at,
    )
    return bool(inserted)


async def discharge(conn: DbConnection, episode_id: UUID, at: datetime, resume_after: datetime) -> bool:
    """False when the person was not in hospital (nothing changes)."""
    updated = await conn.fetchval(
        """
        UPDATE hospital_stays SET discharged_at = $2, resume_after = $3
        WHERE episode_id = $1 AND discharged_at IS NULL RETURNING true
        """,
        episode_id,
        at,
        resume_after,
    )
    return bool(updated)


async def in_hospital(conn: DbConnection, episode_id: UUID) -> bool:
    return bool(
        await conn.fetchval("SELECT true FROM hospital_stays WHERE episode_id = $1 AND discharged_at IS NULL", episode_id)
    )


async def resume_after(conn: DbConnection, episode_id: UUID) -> datetime | None:
    """After the latest discharge's reassessment, when there was one."""
    found: datetime | None = await conn.fetchval("SELECT max(resume_after) FROM hospital_stays WHERE episode_id = $1", episode_id)
    return found
