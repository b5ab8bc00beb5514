"""Planning the first response visit for a triaged referral (the walking skeleton's rule; the
optimiser of issue 6 replaces the choice of person, not this module's contract).

Who can lead: a nurse for nursing, an occupational therapist or physiotherapist for therapy, a social
worker for social care. Among them, the person with the fewest visits still to do today goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from carerelay_events.vocabulary import LeadDiscipline

DISCIPLINES_FOR_LEAD: dict[LeadDiscipline, tuple[str, ...]] = {
    LeadDiscipline.NURSE: ("nurse",),
    LeadDiscipline.THERAPIST: ("occupational-therapist", "physiotherapist"),
    LeadDiscipline.SOCIAL_CARE: ("social-worker",),
}

FIRST_VISIT_MINUTES = 60
TRAVEL_ALLOWANCE = timedelta(minutes=20)


@dataclass(frozen=True)
class Candidate:
    staff_id: UUID
    discipline: str
    visits_today: int


@dataclass(frozen=True)
class FirstVisitChoice:
    staff_id: UUID | None
    planned_start: datetime | None
    why: tuple[str, ...]
    unassigned_reason: str | None = None


def choose(candidates: list[Candidate], lead: LeadDiscipline, now: datetime, deadline: datetime) -> FirstVisitChoice:
    eligible = [c for c in candidates if c.discipline in DISCIPLINES_FOR_LEAD[lead]]
    if not eligible:
        return FirstVisitChoice(None, None, (), unassigned_reason=f"no {lead.value} lead on shift")
    start = now + TRAVEL_ALLOWANCE
    if start > deadline:
        return FirstVisitChoice(None, None, (), unassigned_reason="deadline cannot be met")
    chosen = min(eligible, key=lambda c: (c.visits_today, str(c.staff_id)))
    return FirstVisitChoice(
        chosen.staff_id,
        start,
        (f"discipline {chosen.discipline} leads {lead.value}", f"{chosen.visits_today} other visits today"),
    )
