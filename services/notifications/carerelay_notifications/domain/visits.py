"""A visit as notifications knows it from the visit events, and when it is urgent for the person sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from carerelay_contract.vocabulary import VisitPurpose


@dataclass(frozen=True)
class KnownVisit:
    """What the visit events said so far (a visit assigned before it was seen planned has no purpose)."""

    visit_id: UUID
    episode_id: UUID
    status: str
    purpose: str | None = None
    discipline: str | None = None
    deadline: datetime | None = None
    staff_id: UUID | None = None
    planned_start: datetime | None = None


def is_urgent(visit: KnownVisit | None, now: datetime, within: timedelta) -> bool:
    """A first response is urgent, and so is a visit whose deadline is `within` of `now`."""
    if visit is None:
        return False
    if visit.purpose == VisitPurpose.FIRST_RESPONSE.value:
        return True
    return visit.deadline is not None and visit.deadline - now <= within


def discipline_of(visit: KnownVisit | None) -> str:
    """The discipline as people are told it ("care" when the visit was never seen planned)."""
    return (visit.discipline if visit else None) or "care"
