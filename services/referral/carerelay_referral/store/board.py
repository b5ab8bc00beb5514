"""Writing where a referral has got to, as its episode's events move it (domain.board decides how)."""

from __future__ import annotations

import orjson

from carerelay_events.db import DbConnection

from ..domain.referral import Referral


async def save_board(conn: DbConnection, referral: Referral) -> None:
    """Store the referral's board state: status, triage's tier, lead and deadline, the clock, the
    first planned visit and the first contact, a discharge recommended and the outcome. (Read it `FOR
    UPDATE` in the same transaction.)"""
    await conn.execute(
        """
        UPDATE referrals SET status = $2, tier = $3, lead_discipline = $4, first_contact_deadline = $5, clock = $6,
               first_visit_planned_start = $7, first_contact_at = $8, discharge_recommendation = $9::jsonb, outcome = $10,
               updated_at = now()
        WHERE referral_id = $1
        """,
        referral.referral_id,
        referral.status.value,
        referral.tier,
        referral.lead_discipline,
        referral.first_contact_deadline,
        referral.clock,
        referral.first_visit_planned_start,
        referral.first_contact_at,
        orjson.dumps(referral.discharge_recommendation).decode() if referral.discharge_recommendation else None,
        referral.outcome,
    )
