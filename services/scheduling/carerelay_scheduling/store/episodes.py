"""The person behind each episode, as far as scheduling needs (`episodes`): where they live (to plan
travel), how to get in, why they were referred, their team, and the case's correlation id and trace so
that every later event about their visits continues it. And the referral's state (`referral_state`):
triaged (tier, lead, deadline), accepted, closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_contract.referral import ReferralReceived, ReferralUpdated
from carerelay_contract.triage import TriageCompleted, TriageOverridden
from carerelay_contract.vocabulary import LeadDiscipline
from carerelay_events.case import Case
from carerelay_events.db import DbConnection


async def remember_person(conn: DbConnection, event: ReferralReceived, case: Case) -> None:
    """Keep the person and the case (the first time only)."""
    patient = event.patient
    await conn.execute(
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
        case.correlation_id,
        case.trace_json(),
    )


async def update_person(conn: DbConnection, event: ReferralUpdated) -> None:
    await conn.execute(
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


async def case_of(conn: DbConnection, episode_id: UUID) -> Case:
    """The episode's case (no correlation id and the current trace when scheduling never saw the referral)."""
    row: Any = await conn.fetchrow("SELECT correlation_id, trace_context FROM episodes WHERE episode_id = $1", episode_id)
    return Case() if row is None else Case.stored(row["correlation_id"], row["trace_context"])


@dataclass(frozen=True)
class Known:
    """What scheduling knows of an episode it has heard of: the person's team and the lead discipline."""

    team: str | None
    lead_discipline: LeadDiscipline | None


async def known(conn: DbConnection, episode_id: UUID) -> Known | None:
    """None when scheduling has heard of neither the person nor the referral's triage or acceptance."""
    row: Any = await conn.fetchrow(
        """
        SELECT e.team, r.lead_discipline
        FROM (SELECT $1::uuid AS episode_id) asked
        LEFT JOIN episodes e USING (episode_id) LEFT JOIN referral_state r USING (episode_id)
        WHERE e.episode_id IS NOT NULL OR r.episode_id IS NOT NULL
        """,
        episode_id,
    )
    if row is None:
        return None
    lead = row["lead_discipline"]
    return Known(row["team"], LeadDiscipline(lead) if lead else None)


async def is_closed(conn: DbConnection, episode_id: UUID) -> bool:
    """Whether the episode has been closed (domain.actions.episode.closing)."""
    return bool(await conn.fetchval("SELECT true FROM episode_closures WHERE episode_id = $1", episode_id))


async def team_of(conn: DbConnection, episode_id: UUID) -> tuple[bool, str | None]:
    """(whether scheduling knows the person, their team)."""
    row: Any = await conn.fetchrow("SELECT team FROM episodes WHERE episode_id = $1", episode_id)
    return (False, None) if row is None else (True, row["team"])


# ---------------------------------------------------------------- the referral's state


async def record_triage(conn: DbConnection, event: TriageCompleted | TriageOverridden) -> None:
    await conn.execute(
        """
        INSERT INTO referral_state (episode_id, referral_id, tier, lead_discipline, first_contact_deadline)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (episode_id) DO UPDATE SET tier = $3, lead_discipline = $4, first_contact_deadline = $5
        """,
        event.episode_id,
        event.referral_id,
        event.tier.value,
        event.lead_discipline.value,
        event.first_contact_deadline,
    )


async def record_acceptance(conn: DbConnection, episode_id: UUID, referral_id: UUID) -> None:
    await conn.execute(
        """
        INSERT INTO referral_state (episode_id, referral_id, accepted) VALUES ($1, $2, true)
        ON CONFLICT (episode_id) DO UPDATE SET accepted = true
        """,
        episode_id,
        referral_id,
    )


async def record_closure(conn: DbConnection, episode_id: UUID, referral_id: UUID) -> None:
    await conn.execute(
        """
        INSERT INTO referral_state (episode_id, referral_id, closed) VALUES ($1, $2, true)
        ON CONFLICT (episode_id) DO UPDATE SET closed = true
        """,
        episode_id,
        referral_id,
    )


@dataclass(frozen=True)
class Triaged:
    """A referral triaged and accepted, not closed: ready for its first response."""

    referral_id: UUID
    lead_discipline: LeadDiscipline
    first_contact_deadline: datetime


async def ready_to_plan(conn: DbConnection, episode_id: UUID) -> Triaged | None:
    row: Any = await conn.fetchrow(
        """
        SELECT referral_id, lead_discipline, first_contact_deadline FROM referral_state
        WHERE episode_id = $1 AND accepted AND NOT closed AND tier IS NOT NULL
        """,
        episode_id,
    )
    if row is None:
        return None
    return Triaged(row["referral_id"], LeadDiscipline(row["lead_discipline"]), row["first_contact_deadline"])


async def referral_of(conn: DbConnection, episode_id: UUID) -> UUID | None:
    referral_id: UUID | None = await conn.fetchval("SELECT referral_id FROM referral_state WHERE episode_id = $1", episode_id)
    return referral_id


async def set_lead(conn: DbConnection, episode_id: UUID, lead: LeadDiscipline) -> None:
    await conn.execute("UPDATE referral_state SET lead_discipline = $2 WHERE episode_id = $1", episode_id, lead.value)
