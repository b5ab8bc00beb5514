"""What each action on a referral means: taking one opens an episode in the patient's locality;
an addition is for an open referral only; a decision is made once; and what the board shows."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralRejected
from carerelay_referral.domain.intake import Acceptance, Cancellation, ReferralAdditions, ReferralSubmission, Rejection
from carerelay_referral.domain.referral import Conflict, Status, add_to, cancel, decide, decided_status, receive
from carerelay_testing.factories import MRS_A_NHS_NUMBER, mrs_a, referral_submission

from .conftest import Taken

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def test_taking_a_referral_opens_an_episode_placed_by_the_patients_postcode() -> None:
    episode, referral = uuid4(), uuid4()
    event = receive(ReferralSubmission.model_validate(referral_submission()), episode_id=episode, referral_id=referral, at=NOW)
    assert (event.episode_id, event.referral_id, event.received_at) == (episode, referral, NOW)
    assert (event.locality, event.team) == ("Northgate Central", "north")
    assert event.patient.nhs_number == MRS_A_NHS_NUMBER
    assert event.submitted_by is None, "taken at the phone desk"


def test_a_referral_an_integrator_sent_names_the_integrator() -> None:
    submission = ReferralSubmission.model_validate(referral_submission())
    event = receive(submission, episode_id=uuid4(), referral_id=uuid4(), at=NOW, submitted_by="county-general-ehr")
    assert event.submitted_by == "county-general-ehr"


def test_a_postcode_outside_the_county_has_no_team() -> None:
    submission = ReferralSubmission.model_validate(referral_submission(patient=mrs_a(postcode="M1 1AE")))
    event = receive(submission, episode_id=uuid4(), referral_id=uuid4(), at=NOW)
    assert (event.locality, event.team) == (None, None)


def test_an_addition_to_an_open_referral_says_who_added_what(taken: Taken) -> None:
    referral = taken(status=Status.FIRST_VISIT_PLANNED)
    additions = ReferralAdditions.model_validate({"known_risks": "Dog in the house"})
    event = add_to(referral, additions, by="Sophie Reid", at=NOW)
    assert (event.referral_id, event.episode_id) == (referral.referral_id, referral.episode_id)
    assert (event.updated_by, event.updated_at, event.known_risks, event.reason) == ("Sophie Reid", NOW, "Dog in the house", None)


@pytest.mark.parametrize("status", [Status.REJECTED, Status.CANCELLED, Status.CLOSED, Status.FIRST_CONTACT_MADE])
def test_nothing_is_added_to_a_referral_off_the_board(taken: Taken, status: Status) -> None:
    with pytest.raises(Conflict) as refused:
        add_to(taken(status=status), ReferralAdditions.model_validate({"reason": "More"}), by="Sophie Reid", at=NOW)
    assert refused.value.kind == "not-open"
    assert refused.value.detail == f"the referral is {status.value}: take a new referral instead"


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.TRIAGED])
def test_an_undecided_referral_is_accepted_or_rejected(taken: Taken, status: Status) -> None:
    referral = taken(status=status)
    accepted = decide(referral, Acceptance(), by="Ruth Ellis", at=NOW)
    assert isinstance(accepted, ReferralAccepted)
    assert (accepted.accepted_by, accepted.accepted_at) == ("Ruth Ellis", NOW)
    assert decided_status(accepted) is Status.ACCEPTED
    rejected = decide(referral, Rejection(reason="Needs a hospital bed"), by="Ruth Ellis", at=NOW)
    assert isinstance(rejected, ReferralRejected)
    assert rejected.reason == "Needs a hospital bed"
    assert decided_status(rejected) is Status.REJECTED


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.REJECTED, Status.FIRST_VISIT_PLANNED, Status.CLOSED])
def test_a_decided_referral_is_not_decided_again(taken: Taken, status: Status) -> None:
    with pytest.raises(Conflict) as refused:
        decide(taken(status=status), Acceptance(), by="Ruth Ellis", at=NOW)
    assert refused.value.kind == "already-decided"
    assert refused.value.detail == f"the referral is already {status.value}"


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.FIRST_VISIT_PLANNED])
def test_a_referral_is_cancelled_before_first_contact_saying_who_and_why(taken: Taken, status: Status) -> None:
    cancelled = cancel(taken(status=status), Cancellation(reason="Admitted last night"), by="Sophie Reid", at=NOW)
    assert isinstance(cancelled, ReferralCancelled)
    assert (cancelled.reason, cancelled.cancelled_by, cancelled.cancelled_at) == ("Admitted last night", "Sophie Reid", NOW)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (Status.FIRST_CONTACT_MADE, "first-contact-made"),
        (Status.CANCELLED, "not-open"),
        (Status.REJECTED, "not-open"),
        (Status.CLOSED, "not-open"),
    ],
)
def test_a_referral_past_first_contact_or_over_is_not_cancelled(taken: Taken, status: Status, kind: str) -> None:
    with pytest.raises(Conflict) as refused:
        cancel(taken(status=status), Cancellation(reason="No longer needed"), by="Sophie Reid", at=NOW)
    assert refused.value.kind == kind


def test_a_cancellation_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        Cancellation.model_validate({"reason": ""})


def test_the_board_row_names_the_person_and_the_full_view_adds_the_submission(taken: Taken) -> None:
    referral = taken(tier="ucr-2h", first_contact_deadline=NOW)
    row = referral.board_row()
    assert row["patient"] == {"name": "Alice Archer", "nhs_number": MRS_A_NHS_NUMBER, "date_of_birth": "1938-04-02"}
    assert (row["status"], row["tier"], row["first_contact_deadline"]) == ("received", "ucr-2h", NOW.isoformat())
    assert row["presenting_needs"] == ["reduced-function", "medication"]
    assert "referral" not in row
    assert referral.in_full()["referral"]["reason"] == referral_submission()["reason"]
