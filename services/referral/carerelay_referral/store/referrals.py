"""The referral service's own tables (see migrations/): referrals with their board state, the care
team learned from assignments, and each episode's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from carerelay_contract.referral import ReferralReceived
from carerelay_events.db import DbConnection
from carerelay_events.tracing import current_trace_headers

CLOSED_STATUSES = ("rejected", "cancelled", "closed", "first-contact-made")
"""Off the open board: the response clock has stopped or the referral will not be seen."""

UNDECIDED_STATUSES = ("received", "triaged")


async def find_by_idempotency_key(conn: DbConnection, key: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM referrals WHERE idempotency_key = $1", key)
    return row


async def insert_received(
    conn: DbConnection, event: ReferralReceived, correlation_id: str, idempotency_key: str | None, submitted_by: str | None
) -> None:
    await conn.execute(
        """
        INSERT INTO referrals (referral_id, episode_id, status, route, received_at, nhs_number, details,
                               correlation_id, idempotency_key, locality, team, gp_practice, submitted_by, presenting_needs,
                               trace_context)
        VALUES ($1, $2, 'received', $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)
        """,
        event.referral_id,
        event.episode_id,
        event.route.value,
        event.received_at,
        event.patient.nhs_number,
        orjson.dumps(event.model_dump(mode="json")).decode(),
        correlation_id,
        idempotency_key,
        event.locality,
        event.team,
        event.patient.gp_practice_code,
        submitted_by,
        [need.value for need in event.presenting_needs],
        orjson.dumps(current_trace_headers()).decode(),
    )


async def get(conn: DbConnection, referral_id: UUID, *, for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    row: asyncpg.Record | None = await conn.fetchrow(f"SELECT * FROM referrals WHERE referral_id = $1{lock}", referral_id)
    return row


async def by_episode(conn: DbConnection, episode_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM referrals WHERE episode_id = $1", episode_id)
    return row


async def page(
    conn: DbConnection, filters: dict[str, Any], limit: int, offset: int, visible: str, visible_params: list[Any]
) -> list[asyncpg.Record]:
    """A page of referrals; `visible` is the caller's access filter, its parameters numbered from $11.
    With `open`, soonest deadline first (the board); otherwise newest first."""
    order = "first_contact_deadline NULLS LAST, received_at" if filters.get("open") else "received_at DESC, referral_id"
    return list(
        await conn.fetch(
            f"""
            SELECT * FROM referrals
            WHERE ($1::text IS NULL OR status = $1)
              AND ($2::bool IS NOT TRUE OR status <> ALL($3::text[]))
              AND ($4::text IS NULL OR tier = $4) AND ($5::text IS NULL OR route = $5)
              AND ($6::text IS NULL OR team = $6) AND ($7::text IS NULL OR locality = $7)
              AND ($8::text IS NULL OR nhs_number = $8)
              AND {visible}
            ORDER BY {order} LIMIT $9 OFFSET $10
            """,
            filters.get("status"),
            filters.get("open"),
            list(CLOSED_STATUSES),
            filters.get("tier"),
            filters.get("route"),
            filters.get("team"),
            filters.get("locality"),
            filters.get("nhs_number"),
            limit,
            offset,
            *visible_params,
        )
    )


async def record_triage(conn: DbConnection, episode_id: UUID, tier: str, lead_discipline: str, deadline: datetime) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = CASE WHEN status = 'received' THEN 'triaged' ELSE status END,
               tier = $2, lead_discipline = $3, first_contact_deadline = $4,
               clock = COALESCE(clock, 'running'), updated_at = now()
        WHERE episode_id = $1
        """,
        episode_id,
        tier,
        lead_discipline,
        deadline,
    )


async def record_lead(conn: DbConnection, episode_id: UUID, lead_discipline: str) -> None:
    await conn.execute(
        "UPDATE referrals SET lead_discipline = $2, updated_at = now() WHERE episode_id = $1", episode_id, lead_discipline
    )


async def record_clock(conn: DbConnection, episode_id: UUID, clock: str) -> None:
    await conn.execute(
        "UPDATE referrals SET clock = $2, updated_at = now() WHERE episode_id = $1 AND clock IS DISTINCT FROM 'met'",
        episode_id,
        clock,
    )


async def record_first_visit_planned(conn: DbConnection, episode_id: UUID, planned_start: datetime) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = CASE WHEN status IN ('received', 'triaged', 'accepted') THEN 'first-visit-planned'
                                      ELSE status END,
               first_visit_planned_start = COALESCE(first_visit_planned_start, $2), updated_at = now()
        WHERE episode_id = $1
        """,
        episode_id,
        planned_start,
    )


async def record_first_contact(conn: DbConnection, episode_id: UUID, at: datetime) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = CASE WHEN status IN ('received', 'triaged', 'accepted', 'first-visit-planned')
                                      THEN 'first-contact-made' ELSE status END,
               first_contact_at = COALESCE(first_contact_at, $2), updated_at = now()
        WHERE episode_id = $1
        """,
        episode_id,
        at,
    )


async def record_status(conn: DbConnection, episode_id: UUID, status: str) -> None:
    await conn.execute("UPDATE referrals SET status = $2, updated_at = now() WHERE episode_id = $1", episode_id, status)


async def record_decision(conn: DbConnection, referral_id: UUID, status: str, at: datetime, by: str, reason: str | None) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = $2, decided_at = $3, decided_by = $4, rejection_reason = $5, updated_at = now()
        WHERE referral_id = $1
        """,
        referral_id,
        status,
        at,
        by,
        reason,
    )


async def record_additions(conn: DbConnection, referral_id: UUID, additions: dict[str, Any], at: datetime) -> None:
    """Keep the original referral as it was said, and what was added since, in order."""
    await conn.execute(
        """
        UPDATE referrals SET details = jsonb_set(details, '{additions}',
                   COALESCE(details -> 'additions', '[]'::jsonb) || jsonb_build_array($2::jsonb)),
               presenting_needs = ARRAY(SELECT DISTINCT unnest(presenting_needs || $3::text[])),
               updated_at = now()
        WHERE referral_id = $1
        """,
        referral_id,
        orjson.dumps({**additions, "added_at": at.isoformat()}).decode(),
        additions.get("presenting_needs") or [],
    )


async def claim_addition_key(conn: DbConnection, key: str, referral_id: UUID, at: datetime) -> bool:
    """True the first time a key is used for this referral; False on a retry."""
    inserted = await conn.fetchval(
        "INSERT INTO referral_additions (idempotency_key, referral_id, added_at) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING RETURNING true",
        key,
        referral_id,
        at,
    )
    return bool(inserted)


async def add_to_care_team(conn: DbConnection, episode_id: UUID, staff_id: UUID, since: datetime) -> None:
    await conn.execute(
        "INSERT INTO care_team (episode_id, staff_id, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        episode_id,
        staff_id,
        since,
    )


async def add_to_timeline(conn: DbConnection, event_id: str, episode_id: UUID, at: datetime, kind: str, summary: str) -> None:
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


def case_trace(row: asyncpg.Record) -> dict[str, str]:
    """The trace context of the referral's first request."""
    context: dict[str, str] = orjson.loads(row["trace_context"])
    return context


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summary(row: asyncpg.Record) -> dict[str, Any]:
    """A referral as the board shows it, to callers whose relationship covers the person."""
    details = orjson.loads(row["details"])
    patient = details["patient"]
    return {
        "referral_id": str(row["referral_id"]),
        "episode_id": str(row["episode_id"]),
        "status": row["status"],
        "route": row["route"],
        "received_at": row["received_at"].isoformat(),
        "tier": row["tier"],
        "lead_discipline": row["lead_discipline"],
        "first_contact_deadline": _iso(row["first_contact_deadline"]),
        "clock": row["clock"],
        "first_visit_planned_start": _iso(row["first_visit_planned_start"]),
        "first_contact_at": _iso(row["first_contact_at"]),
        "presenting_needs": list(row["presenting_needs"]),
        "correlation_id": row["correlation_id"],
        "locality": row["locality"],
        "team": row["team"],
        "decided_by": row["decided_by"],
        "rejection_reason": row["rejection_reason"],
        "patient": {
            "name": f"{patient['given_name']} {patient['family_name']}",
            "nhs_number": patient["nhs_number"],
            "date_of_birth": patient["date_of_birth"],
        },
    }


def detail(row: asyncpg.Record) -> dict[str, Any]:
    """The whole referral, for those whose relationship allows it."""
    return {**summary(row), "referral": orjson.loads(row["details"])}
