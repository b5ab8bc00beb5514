"""What the hub is told, validated before anything is stored: a new referral, more information for an
open one, and a clinician's decision; and the checks the models cannot make alone (markup in free
text, a practice the directory does not know)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, field_validator, model_validator

from carerelay_contract.model import Model, ShortText
from carerelay_contract.referral import ReferralDetails
from carerelay_contract.vocabulary import PresentingNeed

from .directory import PracticeDirectory

Problem = tuple[tuple[str | int, ...], str]
"""A refused field (its path in the request body) and why, in words that do not echo its value."""

MARKUP = re.compile(r"<\s*[A-Za-z/!?]")


class ReferralSubmission(ReferralDetails):
    """A new referral as the hub takes it: the contract's details, with no more needs than there are."""

    presenting_needs: Annotated[list[PresentingNeed], Field(min_length=1, max_length=14)]


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

    def given(self) -> dict[str, Any]:
        """What was given (as JSON), to keep with the referral in the order it was added."""
        return self.model_dump(mode="json", exclude_none=True)


class Rejection(Model):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class Acceptance(Model):
    pass


def _not_in_the_future(moment: datetime | None) -> datetime | None:
    if moment is not None and moment > datetime.now(UTC) + timedelta(minutes=5):
        raise ValueError("must not be in the future")
    return moment


class Admission(Model):
    """The person is in hospital (a ward or the family calls the hub); `admitted_at` defaults to now."""

    hospital: ShortText
    ward: ShortText | None = None
    admitted_at: AwareDatetime | None = None

    _past = field_validator("admitted_at")(_not_in_the_future)


class Discharge(Model):
    """The person is home again; `discharged_at` defaults to now."""

    discharged_at: AwareDatetime | None = None
    medically_fit_at: AwareDatetime | None = None

    _past = field_validator("discharged_at", "medically_fit_at")(_not_in_the_future)


class Cancellation(Model):
    """Why the referral is withdrawn (e.g. the referrer calls back: the person was admitted)."""

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


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


def markup_problems(data: Any) -> list[Problem]:
    """A problem for each field of `data` (a JSON body) that holds markup."""
    return [(path, "must not contain markup such as <script>") for path in markup_in(data)]


def submission_problems(submission: ReferralSubmission, directory: PracticeDirectory) -> list[Problem]:
    """Why the hub cannot take this referral as it stands (none: it may be taken)."""
    problems = markup_problems(submission.model_dump(mode="json"))
    if submission.patient.gp_practice_code not in directory:
        problems.append((("patient", "gp_practice_code"), "unknown GP practice code (not in the practice directory)"))
    return problems


def intake_key(key: str | None, submitted_by: str | None) -> str | None:
    """The idempotency key a referral is taken under: an integrator's own key is scoped to that
    integrator (`<client_id>:<key>`), so one integrator's keys never collide with another's."""
    if key is None or submitted_by is None:
        return key
    return f"{submitted_by}:{key}"
