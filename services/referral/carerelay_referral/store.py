"""The referral service's own tables (see migrations/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from carerelay_events.catalogue import ReferralReceived
from carerelay_events.db import DbConnection

from .localities import locality_of


async def find_by_idempotency_key(conn: DbConnection, key: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM referrals WHERE idempotency_key = $1", key)
    return row


async def insert_received(
    conn: DbConnection, event: ReferralReceived, correlation_id: str, idempotency_key: str | None, submitted_by: str | None
) -> None:
    place = locality_of(event.patient.postcode)
    await conn.execute(
        """
        INSERT INTO referrals (referral_id, episode_id, status, route, received_at, nhs_number, details,
                               correlation_id, idempotency_key, locality, team, gp_practice, submitted_by)
        VALUES ($1, $2, 'received', $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12)
        """,
        event.referral_id,
        event.episode_id,
        event.route.value,
        event.received_at,
        event.patient.nhs_number,
        orjson.dumps(event.model_dump(mode="json")).decode(),
        correlation_id,
        idempotency_key,
        place.name if place else None,
        place.team if place else None,
        event.patient.gp_practice_code,
        submitted_by,
    )


async def get(conn: DbConnection, referral_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM referrals WHERE referral_id = $1", referral_id)
    return row


async def page(
    conn: DbConnection, status: str | None, limit: int, offset: int, visible: str, visible_params: list[Any]
) -> list[asyncpg.Record]:
    """A page of referrals, newest first; `visible` is the caller's access filter (parameters from $4)."""
    return list(
        await conn.fetch(
            f"""
            SELECT * FROM referrals WHERE ($1::text IS NULL OR status = $1) AND {visible}
            ORDER BY received_at DESC, referral_id LIMIT $2 OFFSET $3
            """,
            status,
            limit,
            offset,
            *visible_params,
        )
    )


async def add_to_care_team(conn: DbConnection, episode_id: UUID, staff_id: UUID, since: datetime) -> None:
    await conn.execute(
        "INSERT INTO care_team (episode_id, staff_id, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        episode_id,
        staff_id,
        since,
    )


async def record_triage(conn: DbConnection, referral_id: UUID, tier: str, lead_discipline: str, deadline: datetime) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = CASE WHEN status = 'received' THEN 'triaged' ELSE status END,
               tier = $2, lead_discipline = $3, first_contact_deadline = $4, updated_at = now()
        WHERE referral_id = $1
        """,
        referral_id,
        tier,
        lead_discipline,
        deadline,
    )


async def record_first_visit_planned(conn: DbConnection, episode_id: UUID, planned_start: datetime) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = 'first-visit-planned', first_visit_planned_start = $2, updated_at = now()
        WHERE episode_id = $1 AND first_visit_planned_start IS NULL
        """,
        episode_id,
        planned_start,
    )


def summary(row: asyncpg.Record) -> dict[str, Any]:
    """A referral as the API shows it."""
    return {
        "referral_id": str(row["referral_id"]),
        "episode_id": str(row["episode_id"]),
        "status": row["status"],
        "route": row["route"],
        "received_at": row["received_at"].isoformat(),
        "tier": row["tier"],
        "lead_discipline": row["lead_discipline"],
        "first_contact_deadline": row["first_contact_deadline"].isoformat() if row["first_contact_deadline"] else None,
        "first_visit_planned_start": row["first_visit_planned_start"].isoformat() if row["first_visit_planned_start"] else None,
        "correlation_id": row["correlation_id"],
        "locality": row["locality"],
        "team": row["team"],
    }


def detail(row: asyncpg.Record) -> dict[str, Any]:
    """The whole referral, for those whose relationship allows it."""
    return {**summary(row), "referral": orjson.loads(row["details"])}
