"""What each action at a visit means: the event that says so and what is written on the visit's record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from carerelay_contract.episode import AssessmentRecorded
from carerelay_contract.visit import VisitCompleted, VisitEnRoute, VisitMissed, VisitRunningLate, VisitStarted
from carerelay_contract.vocabulary import MissedVisitReason
from carerelay_scheduling.domain.actions import visit as actions
from carerelay_scheduling.domain.actions.bodies import (
    Arrived,
    AssessmentForm,
    Completed,
    EnRoute,
    Missed,
    Note,
    ObservationsTaken,
    RunningLate,
)
from carerelay_scheduling.domain.actions.outcome import Clinician, Invalid, Visit
from carerelay_testing.factories import unwell_observations

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
NURSE = Clinician(uuid4(), "Nurse Amara Okafor")
UNWELL = unwell_observations()
"""Scores 6 (medium): the clinician app API's test uses the same observations."""


def a_visit(**changes: object) -> Visit:
    fields: dict[str, object] = {
        "visit_id": uuid4(),
        "episode_id": uuid4(),
        "status": "assigned",
        "staff_id": NURSE.staff_id,
        "second_staff_id": None,
        "planned_start": NOW,
        "latest_start": NOW + timedelta(hours=1),
    }
    return Visit(**(fields | changes))  # type: ignore[arg-type]


def test_on_my_way_says_when_i_expect_to_arrive() -> None:
    visit = a_visit()
    expected = NOW + timedelta(minutes=20)
    outcome = actions.en_route(visit, EnRoute(expected_arrival=expected), NURSE, NOW)
    (event,) = outcome.events
    assert isinstance(event, VisitEnRoute)
    assert (event.visit_id, event.staff_id, event.expected_arrival) == (visit.visit_id, NURSE.staff_id, expected)
    assert dict(outcome.record.sets) == {"en_route_at": NOW, "expected_arrival": expected}


def test_arrived_starts_the_visit() -> None:
    outcome = actions.arrived(a_visit(status="en-route"), Arrived(), NURSE, NOW)
    assert isinstance(outcome.events[0], VisitStarted)
    assert dict(outcome.record.sets) == {"arrived_at": NOW}


def test_observations_are_scored_with_news2_and_a_medium_band_is_a_serious_concern() -> None:
    visit = a_visit(status="in-progress")
    outcome = actions.observations(visit, ObservationsTaken.model_validate({"observations": UNWELL}), NURSE, NOW)
    (event,) = outcome.events
    assert isinstance(event, AssessmentRecorded)
    assert (event.news2_score, event.serious_concern, event.summary) == (6, True, "NEWS2 6 (medium)")
    assert event.observations is not None
    assert event.observations.taken_at == NOW  # taken now, when the phone did not say
    assert outcome.assessment is not None
    assert outcome.assessment.news2_band == "medium"
    assert dict(outcome.record.sets) == {"news2_score": 6, "news2_band": "medium"}
    assert outcome.answer["news2"]["response"] == "Medium: urgent review, tell the hub clinician now"


def test_a_falls_risk_leads_the_assessments_summary_and_writes_nothing_on_the_record() -> None:
    body = AssessmentForm(kind="falls-risk", falls_risk="high", summary="Two falls this month")
    outcome = actions.assessment(a_visit(status="in-progress"), body, NURSE, NOW)
    assert outcome.assessment is not None
    assert outcome.assessment.summary == "Falls risk: high. Two falls this month"
    assert not outcome.record.sets
    assert not outcome.record.notes
    assert outcome.answer == {"assessment_id": str(outcome.assessment.assessment_id)}


def test_a_note_has_no_event_of_its_own() -> None:
    outcome = actions.note(a_visit(), Note(text="Daughter present."), NURSE, NOW)
    assert outcome.events == []
    assert outcome.record.notes == ("Daughter present.",)


def test_running_late_counts_the_minutes_after_the_planned_start() -> None:
    outcome = actions.running_late(a_visit(), RunningLate(expected_arrival=NOW + timedelta(minutes=40, seconds=10)), NURSE, NOW)
    (event,) = outcome.events
    assert isinstance(event, VisitRunningLate)
    assert event.minutes_late == 41
    assert outcome.answer == {"minutes_late": 41}


def test_running_late_without_a_planned_start_counts_from_the_end_of_the_window() -> None:
    visit = a_visit(planned_start=None)
    outcome = actions.running_late(visit, RunningLate(expected_arrival=visit.latest_start + timedelta(minutes=5)), NURSE, NOW)
    assert outcome.answer == {"minutes_late": 5}


@pytest.mark.parametrize(
    ("late", "reason"),
    [(timedelta(0), "must be after the planned start (09:00)"), (timedelta(days=2), "must be within a day of the planned start")],
)
def test_running_late_refuses_an_arrival_that_is_not_late_or_a_day_late(late: timedelta, reason: str) -> None:
    with pytest.raises(Invalid) as refused:
        actions.running_late(a_visit(), RunningLate(expected_arrival=NOW + late), NURSE, NOW)
    assert (refused.value.field, refused.value.reason) == ("expected_arrival", reason)


def test_missed_says_why_and_keeps_the_note() -> None:
    outcome = actions.missed(a_visit(), Missed(reason=MissedVisitReason.NO_ACCESS, notes="No answer"), NURSE, NOW)
    (event,) = outcome.events
    assert isinstance(event, VisitMissed)
    assert dict(outcome.record.sets) == {"missed_at": NOW, "missed_reason": "no-access"}
    assert outcome.record.notes == ("No answer",)


def test_completed_carries_every_note_of_the_visit() -> None:
    visit = a_visit(status="in-progress", notes=("Daughter present.",))
    outcome = actions.completed(
        visit, Completed(tasks_done=["medication-prompt"], notes="Settled.", concerns="Chest"), NURSE, NOW
    )
    (event,) = outcome.events
    assert isinstance(event, VisitCompleted)
    assert event.notes == "Daughter present.\n\nSettled."
    assert outcome.record.notes == ("Settled.",)
    assert dict(outcome.record.sets) == {"completed_at": NOW, "tasks_done": ["medication-prompt"], "concerns": "Chest"}


def test_completed_without_a_note_adds_none() -> None:
    outcome = actions.completed(a_visit(status="in-progress"), Completed(), NURSE, NOW)
    assert outcome.record.notes == ()
