"""What may be recorded at a visit in each state (the clinician app's rules)."""

from __future__ import annotations

import pytest

from carerelay_scheduling.domain.visit_states import NEXT_STATUS, VisitAction, refusal


@pytest.mark.parametrize(
    ("action", "status", "allowed"),
    [
        (VisitAction.EN_ROUTE, "assigned", True),
        (VisitAction.EN_ROUTE, "en-route", False),
        (VisitAction.ARRIVED, "assigned", True),
        (VisitAction.ARRIVED, "en-route", True),
        (VisitAction.ARRIVED, "in-progress", False),
        (VisitAction.OBSERVATIONS, "en-route", False),
        (VisitAction.OBSERVATIONS, "in-progress", True),
        (VisitAction.OBSERVATIONS, "completed", True),
        (VisitAction.RUNNING_LATE, "in-progress", False),
        (VisitAction.MISSED, "in-progress", True),
        (VisitAction.MISSED, "completed", False),
        (VisitAction.COMPLETED, "in-progress", True),
        (VisitAction.COMPLETED, "assigned", False),
        (VisitAction.NOTE, "missed", True),
        (VisitAction.NOTE, "cancelled", False),
        (VisitAction.EN_ROUTE, "planned", False),
    ],
)
def test_actions_follow_the_visits_state(action: VisitAction, status: str, allowed: bool) -> None:
    assert (refusal(action, status) is None) is allowed


def test_refusals_say_what_to_do() -> None:
    assert refusal(VisitAction.COMPLETED, "en-route") == "you have not arrived yet: record Arrived first"
    assert refusal(VisitAction.EN_ROUTE, "en-route") == "you are already on your way"
    assert refusal(VisitAction.ARRIVED, "cancelled") == "the visit was cancelled"


def test_only_the_steps_of_the_visit_change_its_status() -> None:
    assert NEXT_STATUS == {
        VisitAction.EN_ROUTE: "en-route",
        VisitAction.ARRIVED: "in-progress",
        VisitAction.MISSED: "missed",
        VisitAction.COMPLETED: "completed",
    }
