"""What notifications remembers about each episode, from the events it consumes: the person (for
the GP's summary and letters) and how they and their family want to be told, visits, and what
happened (completed visits, assessments, onward referrals). Personal data stays in this database."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.vocabulary import EpisodeOutcome, PreferredChannel
from carerelay_events.db import DbConnection

from .consent import Contact
from .fhir_summary import AssessmentMade, EpisodeSummary, OnwardReferral, PatientFacts, VisitMade


async def remember_referral(conn: DbConnection, event: ReferralReceived) -> None:
    patient, contact = event.patient, event.patient.contact
    await conn.execute(
        """
        INSERT INTO episode_patients (episode_id, referral_id, received_at, nhs_number, given_name, family_name, date_of_birth,
                                      address, postcode, gp_practice_code, consent_to_share, contact_ref, email, mobile,
                                      preferred_channel)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (episode_id) DO UPDATE SET
            referral_id = $2, received_at = $3, nhs_number = $4, given_name = $5, family_name = $6, date_of_birth = $7,
            address = $8, postcode = $9, gp_practice_code = $10, consent_to_share = $11, email = $13, mobile = $14,
            preferred_channel = $15
        """,
        event.episode_id,
        event.referral_id,
        event.received_at,
        patient.nhs_number,
        patient.given_name,
        patient.family_name,
        patient.date_of_birth,
        patient.address,
        patient.postcode,
        patient.gp_practice_code,
        event.consent_to_share,
        uuid4(),
        contact.email if contact else None,
        contact.mobile if contact else None,
        (contact.preferred_channel if contact else PreferredChannel.NONE).value,
    )
    family = event.family_contact
    if family is not None:
        await conn.execute(
            """
            INSERT INTO family_contacts (episode_id, contact_id, relationship, may_be_told_plan, email, mobile, preferred_channel)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (episode_id, contact_id) DO UPDATE SET
                relationship = $3, may_be_told_plan = $4, email = $5, mobile = $6, preferred_channel = $7
            """,
            event.episode_id,
            family.contact_id,
            family.relationship,
            family.may_be_told_plan,
            family.contact.email if family.contact else None,
            family.contact.mobile if family.contact else None,
            (family.contact.preferred_channel if family.contact else PreferredChannel.NONE).value,
        )


def _contact(row: asyncpg.Record, ref: str, may_be_told_plan: bool = False) -> Contact:
    return Contact(
        ref=ref,
        preferred_channel=PreferredChannel(row["preferred_channel"]),
        has_email=bool(row["email"]),
        has_mobile=bool(row["mobile"]),
        may_be_told_plan=may_be_told_plan,
    )


async def patient_contact(conn: DbConnection, episode_id: UUID) -> Contact | None:
    row = await conn.fetchrow("SELECT * FROM episode_patients WHERE episode_id = $1", episode_id)
    return _contact(row, str(row["contact_ref"])) if row else None


async def family_contacts(conn: DbConnection, episode_id: UUID) -> list[Contact]:
    rows = await conn.fetch("SELECT * FROM family_contacts WHERE episode_id = $1 ORDER BY contact_id", episode_id)
    return [_contact(row, str(row["contact_id"]), row["may_be_told_plan"]) for row in rows]


async def contact_details(conn: DbConnection, episode_id: UUID, recipient_ref: str) -> asyncpg.Record | None:
    """The patient's or a family member's stored details, by their opaque reference."""
    try:
        ref = UUID(recipient_ref)
    except ValueError:
        return None
    row = await conn.fetchrow(
        """
        SELECT email, mobile, preferred_channel, given_name || ' ' || family_name AS name, address, postcode, false AS family,
               false AS may_be_told_plan
        FROM episode_patients WHERE episode_id = $1 AND contact_ref = $2
        """,
        episode_id,
        ref,
    )
    if row is None:
        row = await conn.fetchrow(
            """
            SELECT email, mobile, preferred_channel, relationship AS name, NULL AS address, NULL AS postcode, true AS family,
                   may_be_told_plan
            FROM family_contacts WHERE episode_id = $1 AND contact_id = $2
            """,
            episode_id,
            ref,
        )
    return row


async def gp_practice(conn: DbConnection, episode_id: UUID) -> str | None:
    code: str | None = await conn.fetchval("SELECT gp_practice_code FROM episode_patients WHERE episode_id = $1", episode_id)
    return code


async def team(conn: DbConnection, episode_id: UUID) -> str | None:
    found: str | None = await conn.fetchval("SELECT team FROM episode_access WHERE episode_id = $1", episode_id)
    return found


# ---------------------------------------------------------------- visits


async def remember_visit(conn: DbConnection, visit_id: UUID, episode_id: UUID, status: str, **facts: Any) -> None:
    columns = ["visit_id", "episode_id", "status", *facts]
    values = [visit_id, episode_id, status, *facts.values()]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[2:])
    placeholders = ", ".join(f"${number}" for number in range(1, len(values) + 1))
    await conn.execute(
        f"INSERT INTO visits ({', '.join(columns)}) VALUES ({placeholders}) ON CONFLICT (visit_id) DO UPDATE SET {updates}",
        *values,
    )


async def visit(conn: DbConnection, visit_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM visits WHERE visit_id = $1", visit_id)
    return row


async def had_an_assigned_visit(conn: DbConnection, episode_id: UUID, other_than: UUID) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM visits WHERE episode_id = $1 AND visit_id <> $2 AND staff_id IS NOT NULL LIMIT 1",
        episode_id,
        other_than,
    )
    return bool(found)


# ---------------------------------------------------------------- the episode's record, for the GP


async def remember_in_record(
    conn: DbConnection, event_id: str, episode_id: UUID, kind: str, at: datetime, data: dict[str, Any]
) -> None:
    await conn.execute(
        """
        INSERT INTO episode_record (event_id, episode_id, kind, at, data) VALUES ($1, $2, $3, $4, $5::jsonb)
        ON CONFLICT DO NOTHING
        """,
        event_id,
        episode_id,
        kind,
        at,
        orjson.dumps(data).decode(),
    )


async def patient_facts(conn: DbConnection, episode_id: UUID) -> tuple[PatientFacts, asyncpg.Record] | None:
    row = await conn.fetchrow("SELECT * FROM episode_patients WHERE episode_id = $1", episode_id)
    if row is None:
        return None
    facts = PatientFacts(
        nhs_number=row["nhs_number"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth=row["date_of_birth"],
        address=row["address"],
        postcode=row["postcode"],
        gp_practice_code=row["gp_practice_code"],
    )
    return facts, row


def assessment_from(data: dict[str, Any]) -> AssessmentMade:
    return AssessmentMade(
        assessment_id=UUID(data["assessment_id"]),
        kind=data["kind"],
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        news2_score=data.get("news2_score"),
        clinical_frailty_scale=data.get("clinical_frailty_scale"),
        summary=data.get("summary", ""),
        serious_concern=data.get("serious_concern", False),
    )


async def episode_summary(
    conn: DbConnection, episode_id: UUID, closed_at: datetime, outcome: EpisodeOutcome, summary: str, sharing_agreed: bool
) -> EpisodeSummary | None:
    """Everything the GP's discharge summary says, or None when the episode's referral was never seen."""
    found = await patient_facts(conn, episode_id)
    if found is None:
        return None
    patient, row = found
    records = await conn.fetch("SELECT kind, data FROM episode_record WHERE episode_id = $1 ORDER BY at, event_id", episode_id)
    visits: list[VisitMade] = []
    assessments: list[AssessmentMade] = []
    onward: list[OnwardReferral] = []
    for record in records:
        data = orjson.loads(record["data"])
        if record["kind"] == "visit":
            visits.append(
                VisitMade(
                    visit_id=UUID(data["visit_id"]),
                    at=datetime.fromisoformat(data["at"]),
                    discipline=data.get("discipline"),
                    tasks_done=tuple(data.get("tasks_done", [])),
                )
            )
        elif record["kind"] == "assessment":
            assessments.append(assessment_from(data))
        elif record["kind"] == "onward-referral":
            wanted = data.get("wanted_from")
            onward.append(
                OnwardReferral(
                    onward_referral_id=UUID(data["onward_referral_id"]),
                    service=data["service"],
                    made_at=datetime.fromisoformat(data["made_at"]),
                    reason=data.get("reason", ""),
                    wanted_from=datetime.fromisoformat(wanted).date() if wanted else None,
                )
            )
    return EpisodeSummary(
        episode_id=episode_id,
        patient=patient,
        started_at=row["received_at"],
        closed_at=closed_at,
        outcome=outcome,
        summary=summary,
        visits=tuple(visits),
        assessments=tuple(assessments),
        onward_referrals=tuple(onward),
        include_assessments=sharing_agreed,
    )
