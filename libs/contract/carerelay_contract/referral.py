"""Referrals taken by the hub (topic carerelay.referral.v1). Produced by the referral service."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from .model import Event, FreeText, Model, ShortText
from .parts import FamilyContact, Observations, Patient, Referrer
from .topics import Topic
from .vocabulary import (
    PresentingNeed,
    ReferralRoute,
)


class ReferralDetails(Model):
    """What a referrer says about the person and why: the same whether it arrives at the phone desk,
    from an integrator, or on the bus inside `referral.received`."""

    route: ReferralRoute
    referrer: Referrer
    patient: Patient
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    presenting_needs: Annotated[list[PresentingNeed], Field(min_length=1)]
    known_risks: FreeText = ""
    access_notes: FreeText = ""
    consent_to_share: bool
    family_contact: FamilyContact | None = None
    observations: Observations | None = None
    clinical_frailty_scale: Annotated[int, Field(ge=1, le=9)] | None = None
    from_care_home: bool = False


class ReferralReceived(ReferralDetails, Event):
    event_type = "referral.received"
    topic = Topic.REFERRAL

    referral_id: UUID
    received_at: AwareDatetime
    locality: ShortText | None = None
    """The locality the patient's postcode falls in, when the hub knows it."""
    team: ShortText | None = None
    """The team that covers that locality (who may see the person's record: docs/security.md)."""
    submitted_by: ShortText | None = None
    """The integrator's client id when an integrator posted the referral (BaRS); None when the hub
    took it. Who may follow it (an integrator's own submissions) and how the referrer is told."""


class ReferralAccepted(Event):
    event_type = "referral.accepted"
    topic = Topic.REFERRAL

    referral_id: UUID
    accepted_at: AwareDatetime
    accepted_by: ShortText


class ReferralRejected(Event):
    event_type = "referral.rejected"
    topic = Topic.REFERRAL

    referral_id: UUID
    rejected_at: AwareDatetime
    rejected_by: ShortText
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ReferralUpdated(Event):
    """More information added to an open referral (e.g. a second call about the same person)."""

    event_type = "referral.updated"
    topic = Topic.REFERRAL

    referral_id: UUID
    updated_at: AwareDatetime
    updated_by: ShortText | None = None
    reason: FreeText | None = None
    presenting_needs: list[PresentingNeed] | None = None
    known_risks: FreeText | None = None
    access_notes: FreeText | None = None
    observations: Observations | None = None


class ReferralCancelled(Event):
    event_type = "referral.cancelled"
    topic = Topic.REFERRAL

    referral_id: UUID
    cancelled_at: AwareDatetime
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    cancelled_by: ShortText | None = None
    """Who cancelled it: a person at the hub by name, or the submitting system's client id."""
