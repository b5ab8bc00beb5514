"""The `referrals` table: one row per referral, with the submission as said (and what was added since),
the facts access decides on, the case's correlation id and trace, and where it has got to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from carerelay_access.identity import Principal
from carerelay_access.matrix import Scope
from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralReceived, ReferralRejected
from carerelay_events.case import Case
from carerelay_events.db import DbConnection

from ..domain.referral import OFF_THE_BOARD, Referral, Status, decided_status
from .access import visible_to


@dataclass(frozen=True)
class ReferralQuery:
    """Which referrals, a page at a time. `open`: only those whose response clock still runs, soonest
    deadline first (the board); otherwise newest first."""

    status: str | None = None
    open: bool | None = None
    tier: str | None = None
    route: str | None = None
    team: str | None = None
    locality: str | None = None
    nhs_number: str | None = None
    limit: int = 50
    offset: int = 0


async def insert_received(
    conn: DbConnection, event: ReferralReceived, case: Case, idempotency_key: str | None, submitted_by: str | None
) -> None:
    """A referral just taken; `case` is the case it starts (its correlation id and trace)."""
    await conn.execute(
        """
        INSERT INTO referrals (referral_id, episode_id, status, route, received_at, nhs_number, details,
                               correlation_id, idempotency_key, locality, team, gp_practice, submitted_by, presenting_needs,
                               trace_context)
        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15::jsonb)
        """,
        event.referral_id,
        event.episode_id,
        Status.RECEIVED.value,
        event.route.value,
        event.received_at,
        event.patient.nhs_number,
        orjson.dumps(event.model_dump(mode="json")).decode(),
        case.correlation_id,
        idempotency_key,
        event.locality,
        event.team,
        event.patient.gp_practice_code,
        submitted_by,
        [need.value for need in event.presenting_needs],
        case.trace_json(),
    )


async def get(conn: DbConnection, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
    """The referral, or None; `for_update` locks it until the transaction ends (to change it)."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT * FROM referrals WHERE referral_id = $1{lock}", referral_id)
    return _referral(row) if row is not None else None


async def of_episode(conn: DbConnection, episode_id: UUID) -> Referral | None:
    """The referral that opened the episode, locked for the transaction; None if the hub did not take it."""
    row = await conn.fetchrow("SELECT * FROM referrals WHERE episode_id = $1 FOR UPDATE", episode_id)
    return _referral(row) if row is not None else None


async def page(conn: DbConnection, query: ReferralQuery, principal: Principal, scopes: set[Scope]) -> list[Referral]:
    """A page of the referrals `query` asks for, of those the caller's scopes cover."""
    visible, visible_params = visible_to(principal, scopes, first_param=11)
    order = "first_contact_deadline NULLS LAST, received_at" if query.open else "received_at DESC, referral_id"
    rows = await conn.fetch(
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
        query.status,
        query.open,
        sorted(status.value for status in OFF_THE_BOARD),
        query.tier,
        query.route,
        query.team,
        query.locality,
        query.nhs_number,
        query.limit,
        query.offset,
        *visible_params,
    )
    return [_referral(row) for row in rows]


async def record_decision(conn: DbConnection, decision: ReferralAccepted | ReferralRejected) -> None:
    if isinstance(decision, ReferralAccepted):
        at, by, reason = decision.accepted_at, decision.accepted_by, None
    else:
        at, by, reason = decision.rejected_at, decision.rejected_by, decision.reason
    await conn.execute(
        """
        UPDATE referrals SET status = $2, decided_at = $3, decided_by = $4, rejection_reason = $5, updated_at = now()
        WHERE referral_id = $1
        """,
        decision.referral_id,
        decided_status(decision).value,
        at,
        by,
        reason,
    )


async def record_cancellation(conn: DbConnection, cancelled: ReferralCancelled) -> None:
    await conn.execute(
        """
        UPDATE referrals SET status = 'cancelled', decided_at = $2, decided_by = $3, cancellation_reason = $4,
               updated_at = now()
        WHERE referral_id = $1
        """,
        cancelled.referral_id,
        cancelled.cancelled_at,
        cancelled.cancelled_by,
        cancelled.reason,
    )


async def record_hospital_stay(conn: DbConnection, referral_id: UUID, stay: dict[str, str] | None) -> None:
    """The stay from its admission (`stay`) until the discharge (None)."""
    await conn.execute(
        "UPDATE referrals SET hospital_stay = $2::jsonb, updated_at = now() WHERE referral_id = $1",
        referral_id,
        orjson.dumps(stay).decode() if stay is not None else None,
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


def _referral(row: asyncpg.Record) -> Referral:
    trace: dict[str, str] = orjson.loads(row["trace_context"])
    needs: Sequence[str] = row["presenting_needs"]
    return Referral(
        referral_id=row["referral_id"],
        episode_id=row["episode_id"],
        status=Status(row["status"]),
        route=row["route"],
        received_at=row["received_at"],
        details=orjson.loads(row["details"]),
        presenting_needs=tuple(needs),
        correlation_id=row["correlation_id"],
        trace_context=trace,
        locality=row["locality"],
        team=row["team"],
        gp_practice=row["gp_practice"],
        submitted_by=row["submitted_by"],
        tier=row["tier"],
        lead_discipline=row["lead_discipline"],
        first_contact_deadline=row["first_contact_deadline"],
        clock=row["clock"],
        first_visit_planned_start=row["first_visit_planned_start"],
        first_contact_at=row["first_contact_at"],
        decided_by=row["decided_by"],
        rejection_reason=row["rejection_reason"],
        cancellation_reason=row["cancellation_reason"],
        discharge_recommendation=orjson.loads(row["discharge_recommendation"]) if row["discharge_recommendation"] else None,
        outcome=row["outcome"],
        hospital_stay=orjson.loads(row["hospital_stay"]) if row["hospital_stay"] else None,
    )
