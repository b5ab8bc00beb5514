"""`triage_decisions`: one row per referral, the triage as it stands (decided, or overridden)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from carerelay_contract.vocabulary import CareSetting, LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_events.db import DbConnection

from ..domain.triage import ReferralTriage


async def insert(conn: DbConnection, triage: ReferralTriage) -> bool:
    """Store a new triage; False if the referral was already decided (the same referral published
    again under a new event id), and nothing is changed."""
    inserted = await conn.fetchval(
        """
        INSERT INTO triage_decisions (referral_id, episode_id, decided_at, tier, lead_discipline, route, care_setting,
                                      first_contact_deadline, news2_score, rules_version, rules_fired, team, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (referral_id) DO NOTHING RETURNING true
        """,
        triage.referral_id,
        triage.episode_id,
        triage.decided_at,
        triage.tier.value,
        triage.lead_discipline.value,
        triage.route.value,
        triage.care_setting.value,
        triage.first_contact_deadline,
        triage.news2_score,
        triage.rules_version,
        list(triage.rules_fired),
        triage.team,
        triage.received_at,
    )
    return bool(inserted)


async def for_update(conn: DbConnection, referral_id: UUID) -> ReferralTriage | None:
    """The referral's triage, locked until the transaction ends (None: not triaged)."""
    row = await conn.fetchrow("SELECT * FROM triage_decisions WHERE referral_id = $1 FOR UPDATE", referral_id)
    return None if row is None else _triage(row)


async def save_override(conn: DbConnection, triage: ReferralTriage) -> None:
    """Store what an override changed: tier, lead, deadline, when, the rules fired, overridden."""
    await conn.execute(
        """
        UPDATE triage_decisions SET tier = $2, lead_discipline = $3, first_contact_deadline = $4, overridden = $5,
               rules_fired = $6::text[], decided_at = $7
        WHERE referral_id = $1
        """,
        triage.referral_id,
        triage.tier.value,
        triage.lead_discipline.value,
        triage.first_contact_deadline,
        triage.overridden,
        list(triage.rules_fired),
        triage.decided_at,
    )


async def set_lead(conn: DbConnection, episode_id: UUID, lead: LeadDiscipline) -> None:
    """The episode's lead was handed to `lead` (by whoever owns lead transfers)."""
    await conn.execute("UPDATE triage_decisions SET lead_discipline = $2 WHERE episode_id = $1", episode_id, lead.value)


def _triage(row: Any) -> ReferralTriage:
    return ReferralTriage(
        referral_id=row["referral_id"],
        episode_id=row["episode_id"],
        decided_at=row["decided_at"],
        tier=ResponseTier(row["tier"]),
        lead_discipline=LeadDiscipline(row["lead_discipline"]),
        route=ReferralRoute(row["route"]),
        care_setting=CareSetting(row["care_setting"]),
        first_contact_deadline=row["first_contact_deadline"],
        news2_score=row["news2_score"],
        rules_version=row["rules_version"],
        rules_fired=tuple(row["rules_fired"]),
        team=row["team"],
        received_at=row["received_at"],
        overridden=row["overridden"],
    )
