"""The person behind each episode, as far as scheduling needs: where they live (to plan travel), how
to get in (access notes for the visiting clinician), why they were referred, and the case's trace so
that every later event about their visits continues it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson

from carerelay_contract.referral import ReferralReceived, ReferralUpdated
from carerelay_events.db import DbConnection
from carerelay_events.processing import HandlerContext
from carerelay_events.tracing import current_trace_headers


async def on_referral_received(event: ReferralReceived, context: HandlerContext[Any]) -> None:
    patient = event.patient
    await context.conn.execute(
        """
        INSERT INTO episodes (episode_id, referral_id, given_name, family_name, address, postcode, latitude, longitude,
                              access_notes, reason, known_risks, team, correlation_id, trace_context)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)
        ON CONFLICT (episode_id) DO NOTHING
        """,
        event.episode_id,
        event.referral_id,
        patient.given_name,
        patient.family_name,
        patient.address,
        patient.postcode,
        patient.latitude,
        patient.longitude,
        event.access_notes,
        event.reason,
        event.known_risks,
        event.team,
        context.metadata.correlation_id,
        orjson.dumps(current_trace_headers()).decode(),
    )


async def on_referral_updated(event: ReferralUpdated, context: HandlerContext[Any]) -> None:
    await context.conn.execute(
        """
        UPDATE episodes SET access_notes = coalesce($2, access_notes), reason = coalesce($3, reason),
                            known_risks = coalesce($4, known_risks)
        WHERE episode_id = $1
        """,
        event.episode_id,
        event.access_notes,
        event.reason,
        event.known_risks,
    )


async def case_of(conn: DbConnection, episode_id: UUID) -> tuple[str | None, dict[str, str]]:
    """The episode's correlation id and trace context (empty when scheduling never saw the referral)."""
    row: Any = await conn.fetchrow("SELECT correlation_id, trace_context FROM episodes WHERE episode_id = $1", episode_id)
    if row is None:
        return None, {}
    trace_context = row["trace_context"]
    return row["correlation_id"], orjson.loads(trace_context) if isinstance(trace_context, str) else dict(trace_context)
