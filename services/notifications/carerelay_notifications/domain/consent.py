"""Who may be messaged, by the patient's recorded consent and contact preferences.

- The patient: only by a channel they chose (`preferred_channel`, `none` opts out) and unless they
  have withdrawn `contact-by-message`.
- A family member: only with the patient's permission: the latest `family-involvement` consent
  (recorded = yes, withdrawn = no; a consent naming one family contact covers only that contact),
  or, before any was recorded, the referral's `family_contact.may_be_told_plan`. Nothing otherwise.

The rules are checked when a message is requested and again just before it is sent, so a withdrawal
stops messages already waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from carerelay_contract.vocabulary import ConsentScope, NotificationAudience, NotificationChannel, PreferredChannel
from carerelay_events.db import DbConnection


@dataclass(frozen=True)
class ConsentState:
    granted: bool
    family_contact_id: UUID | None = None


@dataclass(frozen=True)
class Contact:
    """A patient or family member as the triggers see them: an opaque reference and their preferences."""

    ref: str
    preferred_channel: PreferredChannel
    has_email: bool
    has_mobile: bool
    may_be_told_plan: bool = False
    """Family only: what the referral said, used until a family-involvement consent is recorded."""


def patient_may_be_messaged(contact: Contact, consents: dict[ConsentScope, ConsentState]) -> bool:
    if contact.preferred_channel is PreferredChannel.NONE:
        return False
    said = consents.get(ConsentScope.CONTACT_BY_MESSAGE)
    return said is None or said.granted


def family_may_be_messaged(contact: Contact, consents: dict[ConsentScope, ConsentState]) -> bool:
    if contact.preferred_channel is PreferredChannel.NONE:
        return False
    said = consents.get(ConsentScope.FAMILY_INVOLVEMENT)
    if said is None:
        return contact.may_be_told_plan
    return said.granted and (said.family_contact_id is None or str(said.family_contact_id) == contact.ref)


def may_be_messaged(audience: NotificationAudience, contact: Contact, consents: dict[ConsentScope, ConsentState]) -> bool:
    if audience is NotificationAudience.PATIENT:
        return patient_may_be_messaged(contact, consents)
    if audience is NotificationAudience.FAMILY:
        return family_may_be_messaged(contact, consents)
    return True


def channel_for(contact: Contact, time_critical: bool) -> NotificationChannel | None:
    """The channel a person chose, if we can use it: an email address for email, a mobile for SMS; a
    letter only for news that can wait for the post."""
    match contact.preferred_channel:
        case PreferredChannel.EMAIL:
            return NotificationChannel.EMAIL if contact.has_email else None
        case PreferredChannel.SMS:
            return NotificationChannel.SMS if contact.has_mobile else None
        case PreferredChannel.LETTER:
            return None if time_critical else NotificationChannel.LETTER
    return None


async def load(conn: DbConnection, episode_id: UUID) -> dict[ConsentScope, ConsentState]:
    rows = await conn.fetch("SELECT scope, granted, family_contact_id FROM consents WHERE episode_id = $1", episode_id)
    states: dict[ConsentScope, ConsentState] = {}
    for row in rows:
        if row["scope"] in ConsentScope._value2member_map_:
            states[ConsentScope(row["scope"])] = ConsentState(row["granted"], row["family_contact_id"])
    return states


async def record(
    conn: DbConnection, episode_id: UUID, scope: ConsentScope, granted: bool, family_contact_id: UUID | None, at: datetime
) -> None:
    await conn.execute(
        """
        INSERT INTO consents (episode_id, scope, granted, family_contact_id, changed_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (episode_id, scope) DO UPDATE SET granted = $3, family_contact_id = $4, changed_at = $5
        """,
        episode_id,
        scope.value,
        granted,
        family_contact_id,
        at,
    )
