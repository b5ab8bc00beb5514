"""What may be recorded at a visit in each of its states (the field statuses belong to the app):

    assigned ──on my way──▶ en-route ──arrived──▶ in-progress ──completed──▶ completed
        └──────────────arrived───────────────────────┘       └──missed────▶ missed

A visit can be missed (no access, declined, not home, admitted) from any state before completion.
Observations, assessments and notes need the clinician to be there, and may be added after the
visit is completed (documentation often follows the visit). Running late is only before arrival.
"""

from __future__ import annotations

from enum import StrEnum


class VisitAction(StrEnum):
    EN_ROUTE = "en-route"
    ARRIVED = "arrived"
    OBSERVATIONS = "observations"
    ASSESSMENT = "assessment"
    NOTE = "note"
    RUNNING_LATE = "running-late"
    MISSED = "missed"
    COMPLETED = "completed"


ALLOWED_FROM: dict[VisitAction, frozenset[str]] = {
    VisitAction.EN_ROUTE: frozenset({"assigned"}),
    VisitAction.ARRIVED: frozenset({"assigned", "en-route"}),
    VisitAction.OBSERVATIONS: frozenset({"in-progress", "completed"}),
    VisitAction.ASSESSMENT: frozenset({"in-progress", "completed"}),
    VisitAction.NOTE: frozenset({"assigned", "en-route", "in-progress", "completed", "missed"}),
    VisitAction.RUNNING_LATE: frozenset({"assigned", "en-route"}),
    VisitAction.MISSED: frozenset({"assigned", "en-route", "in-progress"}),
    VisitAction.COMPLETED: frozenset({"in-progress"}),
}

NEXT_STATUS: dict[VisitAction, str] = {
    VisitAction.EN_ROUTE: "en-route",
    VisitAction.ARRIVED: "in-progress",
    VisitAction.MISSED: "missed",
    VisitAction.COMPLETED: "completed",
}

_WHY: dict[str, str] = {
    "planned": "the visit is not assigned yet",
    "assigned": "the visit has not started",
    "en-route": "you are already on your way",
    "in-progress": "you have already arrived",
    "completed": "the visit is already completed",
    "missed": "the visit was recorded as missed",
    "cancelled": "the visit was cancelled",
}


def refusal(action: VisitAction, status: str) -> str | None:
    """Why `action` cannot be recorded on a visit in `status`, or None if it can."""
    if status in ALLOWED_FROM[action]:
        return None
    if status in ("assigned", "en-route") and "in-progress" in ALLOWED_FROM[action]:
        return "you have not arrived yet: record Arrived first"
    return _WHY.get(status, f"the visit is {status}")
