"""Who makes a referral's first response, and by when: a nurse for a nursing lead, an occupational
therapist or physiotherapist for a therapy lead, a social worker for social care, starting by the
response deadline (a hard limit). A lead transfer gets an assessment by the new discipline within a day.
Which of them goes, and when, is the planner's choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from carerelay_contract.visit import VisitPlanned
from carerelay_contract.vocabulary import LeadDiscipline, VisitPurpose

DISCIPLINES_FOR_LEAD: dict[LeadDiscipline, tuple[str, ...]] = {
    LeadDiscipline.NURSE: ("nurse",),
    LeadDiscipline.THERAPIST: ("occupational-therapist", "physiotherapist"),
    LeadDiscipline.SOCIAL_CARE: ("social-worker",),
}

FIRST_VISIT_MINUTES = 60
ASSESSMENT_WITHIN = timedelta(days=1)
"""A new lead discipline assesses the person within a day of the transfer."""

INTERCHANGEABLE: tuple[frozenset[str], ...] = (frozenset({"occupational-therapist", "physiotherapist"}),)
"""Disciplines that can stand in for each other on a first response or assessment (a therapist lead)."""


def disciplines_for(discipline: str, purpose: str) -> frozenset[str]:
    """Who may make a visit recorded with `discipline`: that discipline, or for a first response or
    an assessment, any discipline that can lead the same way (either therapist for a therapy lead)."""
    if purpose in ("first-response", "assessment"):
        for group in INTERCHANGEABLE:
            if discipline in group:
                return group
    return frozenset({discipline})


@dataclass(frozen=True)
class LeadVisit:
    """A visit by the lead discipline that must start by `deadline`: the first response (urgent, once per
    referral) or an assessment after a lead transfer."""

    visit_id: UUID
    episode_id: UUID
    referral_id: UUID | None
    purpose: VisitPurpose
    discipline: str
    earliest_start: datetime
    latest_start: datetime
    deadline: datetime
    duration_minutes: int = FIRST_VISIT_MINUTES

    @property
    def urgent(self) -> bool:
        return self.purpose == VisitPurpose.FIRST_RESPONSE

    def planned(self) -> VisitPlanned:
        return VisitPlanned(
            episode_id=self.episode_id,
            visit_id=self.visit_id,
            purpose=self.purpose,
            discipline=self.discipline,
            earliest_start=self.earliest_start,
            latest_start=self.latest_start,
            duration_minutes=self.duration_minutes,
            deadline=self.deadline,
        )

    def replan_window(self, now: datetime, replan_hours: float) -> tuple[datetime, datetime]:
        """The re-plan that sends someone: the usual hours ahead, or further if the deadline is further."""
        hours = max(replan_hours, (self.latest_start - now).total_seconds() / 3600 + 1)
        return now, now + timedelta(hours=hours)


def lead_visit(
    episode_id: UUID,
    referral_id: UUID | None,
    lead: LeadDiscipline,
    deadline: datetime,
    now: datetime,
    purpose: VisitPurpose = VisitPurpose.FIRST_RESPONSE,
) -> LeadVisit:
    """The visit the lead discipline makes, from now until the deadline (now, if it has passed)."""
    return LeadVisit(
        visit_id=uuid4(),
        episode_id=episode_id,
        referral_id=referral_id,
        purpose=purpose,
        discipline=DISCIPLINES_FOR_LEAD[lead][0],
        earliest_start=now,
        latest_start=max(now, deadline),
        deadline=deadline,
    )
