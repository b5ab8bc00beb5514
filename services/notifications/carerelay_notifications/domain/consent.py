"""Who may be messaged, by the patient's recorded consent and contact preferences.

- The patient: only by a channel they chose (`preferred_channel`, `none` opts out) and unless they
  have withdrawn `contact-by-message`.
- A family member: only with the patient's permission: the latest `family-involvement` consent
  (recorded = yes, withdrawn = no; a consent naming one family contact covers only that contact),
  or, before any was recorded, the referral's `family_contact.may_be_told_plan`. Nothing otherwise.

The rules are checked when a message is requested and again just before it is sent, so a withdrawal
stops messages already waiting (`stopped_by_withdrawal`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from carerelay_contract.vocabulary import ConsentScope, NotificationAudience, NotificationChannel, PreferredChannel


@dataclass(frozen=True)
class ConsentState:
    """The latest word on one consent scope: recorded (granted) or withdrawn."""

    granted: bool
    family_contact_id: UUID | None = None
    """A family-involvement consent naming one family contact covers only that contact."""


Consents = Mapping[ConsentScope, ConsentState]
"""An episode's consents, by scope (a scope never recorded is absent)."""


@dataclass(frozen=True)
class Contact:
    """A patient or family member as the triggers see them: an opaque reference and their preferences."""

    ref: str
    preferred_channel: PreferredChannel
    has_email: bool
    has_mobile: bool
    may_be_told_plan: bool = False
    """Family only: what the referral said, used until a family-involvement consent is recorded."""


def patient_may_be_messaged(contact: Contact, consents: Consents) -> bool:
    if contact.preferred_channel is PreferredChannel.NONE:
        return False
    said = consents.get(ConsentScope.CONTACT_BY_MESSAGE)
    return said is None or said.granted


def family_may_be_messaged(contact: Contact, consents: Consents) -> bool:
    if contact.preferred_channel is PreferredChannel.NONE:
        return False
    said = consents.get(ConsentScope.FAMILY_INVOLVEMENT)
    if said is None:
        return contact.may_be_told_plan
    return said.granted and (said.family_contact_id is None or str(said.family_contact_id) == contact.ref)


def may_be_messaged(audience: NotificationAudience, contact: Contact, consents: Consents) -> bool:
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


STOPPED_BY_WITHDRAWAL: dict[ConsentScope, frozenset[NotificationAudience]] = {
    ConsentScope.FAMILY_INVOLVEMENT: frozenset({NotificationAudience.FAMILY}),
    ConsentScope.CONTACT_BY_MESSAGE: frozenset({NotificationAudience.PATIENT}),
}


def stopped_by_withdrawal(scope: ConsentScope) -> frozenset[NotificationAudience]:
    """Whose waiting messages a withdrawal of `scope` cancels at once (none for professional sharing)."""
    return STOPPED_BY_WITHDRAWAL.get(scope, frozenset())


def professional_sharing_agreed(consents: Consents, consent_to_share: bool) -> bool:
    """Whether the GP's summary may include assessments: the latest `professional-sharing` consent,
    or, before any was recorded, what the referral said (`consent_to_share`)."""
    said = consents.get(ConsentScope.PROFESSIONAL_SHARING)
    return said.granted if said is not None else consent_to_share
