"""A referral as the hub holds it, and what each thing a person does to it means: taking it, adding
to it, accepting or rejecting it. Each action returns the event it causes, or raises `Conflict`
when the referral is not in a state where the action means anything (nothing is then done)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_contract.referral import ReferralAccepted, ReferralCancelled, ReferralReceived, ReferralRejected, ReferralUpdated

from .intake import Acceptance, Admission, Cancellation, Discharge, ReferralAdditions, ReferralSubmission, Rejection
from .localities import locality_of


class Status(StrEnum):
    """Where a referral has got to: `received` → `triaged` → `accepted` → `first-visit-planned` →
    `first-contact-made`, or `rejected`, `cancelled`, `closed`."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    ACCEPTED = "accepted"
    FIRST_VISIT_PLANNED = "first-visit-planned"
    FIRST_CONTACT_MADE = "first-contact-made"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    CLOSED = "closed"


OFF_THE_BOARD = frozenset({Status.REJECTED, Status.CANCELLED, Status.CLOSED, Status.FIRST_CONTACT_MADE})
"""Off the open board: the response clock has stopped or the referral will not be seen."""

UNDECIDED = frozenset({Status.RECEIVED, Status.TRIAGED})
"""A hub clinician may still accept or reject these."""

CANCELLABLE = frozenset({Status.RECEIVED, Status.TRIAGED, Status.ACCEPTED, Status.FIRST_VISIT_PLANNED})
"""Before first contact a referral may be withdrawn; after it, the episode is closed with an outcome."""


@dataclass(frozen=True)
class Referral:
    """One referral: the submission as it was said (with any additions since, in `details`), who it
    concerns for access (`team`, `gp_practice`, `submitted_by`), and where it has got to."""

    referral_id: UUID
    episode_id: UUID
    status: Status
    route: str
    received_at: datetime
    details: Mapping[str, Any]
    presenting_needs: tuple[str, ...]
    correlation_id: str
    trace_context: Mapping[str, str]
    """The W3C trace context of the referral's first request: the case's trace."""
    locality: str | None
    team: str | None
    gp_practice: str
    submitted_by: str | None
    tier: str | None = None
    lead_discipline: str | None = None
    first_contact_deadline: datetime | None = None
    clock: str | None = None
    first_visit_planned_start: datetime | None = None
    first_contact_at: datetime | None = None
    decided_by: str | None = None
    rejection_reason: str | None = None
    cancellation_reason: str | None = None
    discharge_recommendation: Mapping[str, str] | None = None
    """A clinician's discharge recommendation (`recommendation_id`, `outcome`, `summary`), until the
    episode is closed: the hub closes it from this."""
    outcome: str | None = None
    """How the episode ended, once closed."""
    hospital_stay: Mapping[str, str] | None = None
    """While the person is in hospital: `hospital`, `ward`, `admitted_at` and the `encounter` id."""

    @property
    def is_open(self) -> bool:
        """Still on the open board: its response clock runs."""
        return self.status not in OFF_THE_BOARD

    def board_row(self) -> dict[str, Any]:
        """The referral as the board shows it, to callers whose relationship covers the person."""
        patient = self.details["patient"]
        return {
            "referral_id": str(self.referral_id),
            "episode_id": str(self.episode_id),
            "status": self.status.value,
            "route": self.route,
            "received_at": self.received_at.isoformat(),
            "tier": self.tier,
            "lead_discipline": self.lead_discipline,
            "first_contact_deadline": _iso(self.first_contact_deadline),
            "clock": self.clock,
            "first_visit_planned_start": _iso(self.first_visit_planned_start),
            "first_contact_at": _iso(self.first_contact_at),
            "presenting_needs": list(self.presenting_needs),
            "correlation_id": self.correlation_id,
            "locality": self.locality,
            "team": self.team,
            "decided_by": self.decided_by,
            "rejection_reason": self.rejection_reason,
            "cancellation_reason": self.cancellation_reason,
            "discharge_recommendation": dict(self.discharge_recommendation) if self.discharge_recommendation else None,
            "outcome": self.outcome,
            "hospital_stay": _shown_stay(self.hospital_stay),
            "patient": {
                "name": f"{patient['given_name']} {patient['family_name']}",
                "nhs_number": patient["nhs_number"],
                "date_of_birth": patient["date_of_birth"],
            },
        }

    def in_full(self) -> dict[str, Any]:
        """The board row and the whole submission under `referral`, for those whose relationship allows it."""
        return {**self.board_row(), "referral": dict(self.details)}


class Conflict(Exception):
    """The action means nothing in the referral's present state; `detail` says why, in words."""

    def __init__(self, detail: str, kind: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.kind = kind


def receive(
    submission: ReferralSubmission, *, episode_id: UUID, referral_id: UUID, at: datetime, submitted_by: str | None = None
) -> ReferralReceived:
    """Taking a referral opens a new episode; the patient's postcode places it in a locality and
    the team that covers it (none outside the county: the hub holds it until a clinician places it).
    `submitted_by` is the integrator's client id when a system (not the phone desk) sent it."""
    place = locality_of(submission.patient.postcode)
    return ReferralReceived(
        episode_id=episode_id,
        referral_id=referral_id,
        received_at=at,
        locality=place.name if place else None,
        team=place.team if place else None,
        submitted_by=submitted_by,
        **submission.model_dump(),
    )


def add_to(referral: Referral, additions: ReferralAdditions, *, by: str, at: datetime) -> ReferralUpdated:
    """More information for an open referral (a second call about the same person)."""
    if not referral.is_open:
        raise Conflict(f"the referral is {referral.status.value}: take a new referral instead", "not-open")
    return ReferralUpdated(
        episode_id=referral.episode_id,
        referral_id=referral.referral_id,
        updated_at=at,
        updated_by=by,
        **additions.model_dump(),
    )


def decide(referral: Referral, decision: Acceptance | Rejection, *, by: str, at: datetime) -> ReferralAccepted | ReferralRejected:
    """A hub clinician's decision, once: a referral already decided (or past deciding) is not decided again."""
    if referral.status not in UNDECIDED:
        raise Conflict(f"the referral is already {referral.status.value}", "already-decided")
    if isinstance(decision, Rejection):
        return ReferralRejected(
            episode_id=referral.episode_id,
            referral_id=referral.referral_id,
            rejected_at=at,
            rejected_by=by,
            reason=decision.reason,
        )
    return ReferralAccepted(episode_id=referral.episode_id, referral_id=referral.referral_id, accepted_at=at, accepted_by=by)


def cancel(referral: Referral, cancellation: Cancellation, *, by: str, at: datetime) -> ReferralCancelled:
    """The referral withdrawn, with a reason, before first contact (its planned visits are then cancelled)."""
    if referral.status == Status.FIRST_CONTACT_MADE:
        raise Conflict("first contact has been made: close the episode with its outcome instead", "first-contact-made")
    if referral.status not in CANCELLABLE:
        raise Conflict(f"the referral is already {referral.status.value}", "not-open")
    return ReferralCancelled(
        episode_id=referral.episode_id,
        referral_id=referral.referral_id,
        cancelled_at=at,
        reason=cancellation.reason,
        cancelled_by=by,
    )


def decided_status(decision: ReferralAccepted | ReferralRejected) -> Status:
    """The status a decision leaves the referral in."""
    return Status.ACCEPTED if isinstance(decision, ReferralAccepted) else Status.REJECTED


IN_CARE = frozenset({Status.ACCEPTED, Status.FIRST_VISIT_PLANNED, Status.FIRST_CONTACT_MADE})
"""An accepted episode still open: what a hospital stay interrupts."""


def admit(referral: Referral, admission: Admission, *, at: datetime) -> PatientAdmitted:
    """The person is in hospital: scheduling pauses their visits, triage stops a running clock."""
    if referral.status not in IN_CARE:
        raise Conflict(f"the referral is {referral.status.value}: only an accepted, open episode is paused", "not-in-care")
    if referral.hospital_stay is not None:
        raise Conflict(f"already in hospital ({referral.hospital_stay['hospital']})", "in-hospital")
    return PatientAdmitted(
        episode_id=referral.episode_id,
        hospital_encounter_id=f"hub:{uuid4()}",
        nhs_number=referral.details["patient"]["nhs_number"],
        hospital=admission.hospital,
        ward=admission.ward,
        admitted_at=admission.admitted_at or at,
    )


def discharge(referral: Referral, discharged: Discharge, *, at: datetime) -> PatientDischarged:
    """Home again: scheduling plans a reassessment before the visits resume."""
    stay = referral.hospital_stay
    if stay is None:
        raise Conflict("not in hospital: record the admission first", "not-in-hospital")
    when = discharged.discharged_at or at
    if when < datetime.fromisoformat(stay["admitted_at"]):
        raise Conflict("the discharge is before the admission", "before-admission")
    return PatientDischarged(
        episode_id=referral.episode_id,
        hospital_encounter_id=stay["encounter"],
        nhs_number=referral.details["patient"]["nhs_number"],
        hospital=stay["hospital"],
        ward=stay.get("ward") or None,
        discharged_at=when,
        medically_fit_at=discharged.medically_fit_at,
    )


def stay_of(admitted: PatientAdmitted) -> dict[str, str]:
    """What the referral keeps of a stay until the discharge."""
    return {
        "hospital": admitted.hospital,
        "ward": admitted.ward or "",
        "admitted_at": admitted.admitted_at.isoformat(),
        "encounter": admitted.hospital_encounter_id,
    }


def _shown_stay(stay: Mapping[str, str] | None) -> dict[str, str | None] | None:
    if stay is None:
        return None
    return {"hospital": stay["hospital"], "ward": stay.get("ward") or None, "admitted_at": stay["admitted_at"]}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
