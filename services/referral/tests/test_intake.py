"""What the hub refuses before anything is stored: markup in any free text (named by its field),
a GP practice the directory does not know; and how an integrator's idempotency keys are scoped."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from carerelay_referral.domain.directory import Practice, PracticeDirectory
from carerelay_referral.domain.intake import (
    ReferralAdditions,
    ReferralSubmission,
    intake_key,
    markup_in,
    markup_problems,
    submission_problems,
)
from carerelay_testing.factories import mrs_a, referral_submission

DIRECTORY = PracticeDirectory({"C82001": Practice("C82001", "Mill Lane Surgery", "LE1 1AA")})


def test_mrs_as_referral_may_be_taken() -> None:
    assert submission_problems(ReferralSubmission.model_validate(referral_submission()), DIRECTORY) == []


def test_a_practice_the_directory_does_not_know_is_refused_by_field() -> None:
    submission = ReferralSubmission.model_validate(referral_submission(patient=mrs_a(gp_practice_code="C82099")))
    assert submission_problems(submission, DIRECTORY) == [
        (("patient", "gp_practice_code"), "unknown GP practice code (not in the practice directory)")
    ]


def test_markup_anywhere_in_free_text_is_found_with_its_path() -> None:
    submission = ReferralSubmission.model_validate(
        referral_submission(reason="<script>alert(1)</script>", access_notes="key safe < 3 feet from the door")
    )
    problems = submission_problems(submission, DIRECTORY)
    assert problems == [(("reason",), "must not contain markup such as <script>")]


@pytest.mark.parametrize("text", ["<b>bold</b>", "< img src=x>", "</p>", "<!-- hidden -->", "<?xml?>"])
def test_what_counts_as_markup(text: str) -> None:
    assert list(markup_in({"notes": [text]})) == [("notes", 0)]


@pytest.mark.parametrize("text", ["BP 120 < 140", "a <3 b", "<<", "x > y"])
def test_a_lone_angle_bracket_is_not_markup(text: str) -> None:
    assert markup_problems({"reason": text}) == []


def test_an_integrators_key_is_scoped_to_that_integrator_and_the_hubs_is_not() -> None:
    assert intake_key("k-1", "county-general-ehr") == "county-general-ehr:k-1"
    assert intake_key("k-1", None) == "k-1"
    assert intake_key(None, "county-general-ehr") is None


def test_an_addition_must_add_something_and_gives_only_what_was_given() -> None:
    with pytest.raises(ValidationError):
        ReferralAdditions.model_validate({})
    additions = ReferralAdditions.model_validate({"known_risks": "Dog in the house", "presenting_needs": ["fall"]})
    assert additions.given() == {"known_risks": "Dog in the house", "presenting_needs": ["fall"]}
