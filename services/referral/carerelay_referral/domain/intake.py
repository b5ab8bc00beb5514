"""What the hub is told, validated before anything is stored: a new referral, more information for an
open one, and a clinician's decision to reject."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field, model_validator

from carerelay_contract.model import FreeText, Model
from carerelay_contract.parts import FamilyContact, Observations, Patient, Referrer
from carerelay_contract.vocabulary import PresentingNeed, ReferralRoute

MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


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


class ReferralAdditions(Model):
    """More for an open referral: what is given is added; at least one thing must be given."""

    reason: Annotated[str, Field(min_length=1, max_length=4000)] | None = None
    presenting_needs: Annotated[list[PresentingNeed], Field(min_length=1, max_length=14)] | None = None
    known_risks: Annotated[str, Field(min_length=1, max_length=4000)] | None = None
    access_notes: Annotated[str, Field(min_length=1, max_length=4000)] | None = None

    @model_validator(mode="after")
    def _something_to_add(self) -> ReferralAdditions:
        if not any(value is not None for value in self.model_dump().values()):
            raise ValueError("give at least one of reason, presenting_needs, known_risks, access_notes")
        return self


class Rejection(Model):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class Acceptance(Model):
    pass


def markup_in(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where free text holds markup (`<` then a letter, `/`, `!` or `?`): such text is refused, not
    stored, so no screen can ever be handed a script (screens also render text as text)."""
    if isinstance(data, str):
        if MARKUP.search(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from markup_in(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from markup_in(value, (*path, index))
