"""A referral as the hub takes it: what the referrer must tell us, validated before anything is stored."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from carerelay_events.catalogue import FamilyContact, FreeText, Model, Observations, Patient, Referrer
from carerelay_events.vocabulary import PresentingNeed, ReferralRoute


class ReferralSubmission(Model):
    referrer: Referrer
    patient: Patient
    route: ReferralRoute
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    presenting_needs: Annotated[list[PresentingNeed], Field(min_length=1, max_length=14)]
    known_risks: FreeText = ""
    access_notes: FreeText = ""
    consent_to_share: bool
    family_contact: FamilyContact | None = None
    observations: Observations | None = None
    clinical_frailty_scale: Annotated[int, Field(ge=1, le=9)] | None = None
    from_care_home: bool = False
