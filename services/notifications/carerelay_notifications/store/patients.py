"""`episode_patients`, `family_contacts` and `referrers`: the person a referral names (for the GP's
messages and letters), how they and their family contact want to be told, and how the referrer may be. Personal data stays in this
database: never in events, logs, spans or metric labels."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.vocabulary import PreferredChannel
from carerelay_events.db import DbConnection

from ..domain.consent import Contact
from ..domain.fhir.facts import PatientFacts, Referred
from ..domain.triggers.people import People
from ..domain.triggers.referrer import ReferrerContact
from . import consents


async def remember(conn: DbConnection, event: ReferralReceived) -> None:
    """The person and their family contact, as the referral names them (a later referral of the same
    episode replaces what it says; the patient's contact reference stays)."""
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
    referrer = event.referrer
    await conn.execute(
        """
        INSERT INTO referrers (episode_id, referral_id, organisation, callback_number, email) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (episode_id) DO UPDATE SET referral_id = $2, organisation = $3, callback_number = $4, email = $5
        """,
        event.episode_id,
        event.referral_id,
        referrer.organisation,
        referrer.callback_number,
        referrer.email,
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


async def family_contacts(conn: DbConnection, episode_id: UUID) -> tuple[Contact, ...]:
    rows = await conn.fetch("SELECT * FROM family_contacts WHERE episode_id = $1 ORDER BY contact_id", episode_id)
    return tuple(_contact(row, str(row["contact_id"]), row["may_be_told_plan"]) for row in rows)


async def people(conn: DbConnection, episode_id: UUID) -> People:
    """Who may be told about the episode: the patient and family contacts, with what was agreed."""
    return People(
        await patient_contact(conn, episode_id), await family_contacts(conn, episode_id), await consents.load(conn, episode_id)
    )


@dataclass(frozen=True)
class ContactDetails:
    """How to reach the patient or a family member now: read just before a message is sent."""

    name: str
    """The patient's name, or a family member's relationship (letters are addressed with it)."""
    email: str | None
    mobile: str | None
    address: str | None
    """Patients only: family members get no letters."""
    postcode: str | None
    preferred_channel: PreferredChannel
    may_be_told_plan: bool

    def contact(self, ref: str) -> Contact:
        return Contact(
            ref=ref,
            preferred_channel=self.preferred_channel,
            has_email=bool(self.email),
            has_mobile=bool(self.mobile),
            may_be_told_plan=self.may_be_told_plan,
        )


async def contact_details(conn: DbConnection, episode_id: UUID, recipient_ref: str) -> ContactDetails | None:
    """The patient's or a family member's stored details, by their opaque reference."""
    try:
        ref = UUID(recipient_ref)
    except ValueError:
        return None
    row = await conn.fetchrow(
        """
        SELECT email, mobile, preferred_channel, given_name || ' ' || family_name AS name, address, postcode,
               false AS may_be_told_plan
        FROM episode_patients WHERE episode_id = $1 AND contact_ref = $2
        """,
        episode_id,
        ref,
    )
    if row is None:
        row = await conn.fetchrow(
            """
            SELECT email, mobile, preferred_channel, relationship AS name, NULL AS address, NULL AS postcode, may_be_told_plan
            FROM family_contacts WHERE episode_id = $1 AND contact_id = $2
            """,
            episode_id,
            ref,
        )
    if row is None:
        return None
    return ContactDetails(
        name=row["name"],
        email=row["email"],
        mobile=row["mobile"],
        address=row["address"],
        postcode=row["postcode"],
        preferred_channel=PreferredChannel(row["preferred_channel"]),
        may_be_told_plan=row["may_be_told_plan"],
    )


async def referred(conn: DbConnection, episode_id: UUID) -> Referred | None:
    """The person as the episode's referral named them; None when the referral was never seen."""
    row = await conn.fetchrow("SELECT * FROM episode_patients WHERE episode_id = $1", episode_id)
    if row is None:
        return None
    patient = PatientFacts(
        nhs_number=row["nhs_number"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        date_of_birth=row["date_of_birth"],
        address=row["address"],
        postcode=row["postcode"],
        gp_practice_code=row["gp_practice_code"],
    )
    return Referred(patient=patient, received_at=row["received_at"], consent_to_share=row["consent_to_share"])


async def referrer(conn: DbConnection, episode_id: UUID) -> ReferrerContact | None:
    """How the episode's referrer may be reached, as the referral said."""
    row = await conn.fetchrow("SELECT organisation, callback_number, email FROM referrers WHERE episode_id = $1", episode_id)
    return None if row is None else ReferrerContact(row["organisation"], row["callback_number"], row["email"])
