"""The coordinator's day: 07:00 to 07:00 local, which visits are at risk, and the pins' rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest

from carerelay_contract.vocabulary import LeadDiscipline, VisitPurpose
from carerelay_scheduling.domain.day_plan import ReplanRequest, at_risk, batched, may_plan, planning_day, planning_day_of
from carerelay_scheduling.domain.first_response import disciplines_for, lead_visit
from carerelay_scheduling.domain.pins import Colleague, why_cannot_make, why_named_twice, why_not_movable, why_wrong_number
from carerelay_scheduling.domain.rota import LONDON

MONDAY = date(2025, 3, 10)
NOW = datetime.combine(MONDAY, time(10, 0), LONDON).astimezone(UTC)


def test_a_planning_day_runs_from_seven_to_seven_and_the_night_belongs_to_the_day_before() -> None:
    start, end = planning_day(MONDAY)
    assert start == datetime.combine(MONDAY, time(7), LONDON)
    assert end - start == timedelta(days=1)
    assert planning_day_of(datetime.combine(MONDAY, time(6, 59), LONDON)) == MONDAY - timedelta(days=1)
    assert planning_day_of(datetime.combine(MONDAY, time(7), LONDON)) == MONDAY


def test_a_day_may_be_planned_from_yesterday_to_two_weeks_ahead() -> None:
    assert may_plan(MONDAY - timedelta(days=1), NOW)
    assert may_plan(MONDAY + timedelta(days=14), NOW)
    assert not may_plan(MONDAY - timedelta(days=2), NOW)
    assert not may_plan(MONDAY + timedelta(days=15), NOW)


def test_at_risk_is_planned_after_its_window_or_unplaced_close_to_its_deadline() -> None:
    window_end = NOW + timedelta(hours=1)
    assert at_risk("assigned", window_end + timedelta(minutes=1), window_end, None, False, NOW)
    assert not at_risk("assigned", window_end, window_end, None, False, NOW)
    assert at_risk("planned", None, NOW + timedelta(minutes=20), None, False, NOW)
    assert not at_risk("planned", None, NOW + timedelta(hours=1), None, False, NOW)
    assert at_risk("planned", None, NOW + timedelta(hours=3), NOW + timedelta(hours=2), True, NOW)  # urgent: two hours sooner
    assert not at_risk("completed", window_end + timedelta(hours=1), window_end, None, False, NOW)


def test_a_pin_needs_the_right_number_of_people_the_discipline_and_the_skills() -> None:
    staff = [uuid4(), uuid4()]
    assert why_named_twice([staff[0], staff[0]]) == "the same person is named twice"
    assert why_wrong_number(staff[:1], double_handed=True) == "a double-handed visit needs two people"
    assert why_wrong_number(staff, double_handed=False) == "name one person"
    assert why_wrong_number(staff, double_handed=True) is None
    assert why_not_movable("in-progress") == "the visit is in-progress and can no longer be moved"
    joe = Colleague(staff[0], "Carer Joe Evans", "carer", frozenset({"double-handed-moving"}))
    assert why_cannot_make(joe, "nurse", "care", [], False) == "Carer Joe Evans is not a nurse"
    assert why_cannot_make(joe, "carer", "care", ["medication-prompt"], True) == (
        "Carer Joe Evans does not have the skill medication-prompt"
    )
    assert why_cannot_make(joe, "carer", "care", [], True) is None


def test_either_therapist_may_make_a_therapy_leads_first_response_or_assessment() -> None:
    assert disciplines_for("physiotherapist", "first-response") == {"occupational-therapist", "physiotherapist"}
    assert disciplines_for("physiotherapist", "care") == {"physiotherapist"}


def test_the_lead_visit_starts_by_its_deadline_and_its_re_plan_looks_far_enough() -> None:
    visit = lead_visit(uuid4(), uuid4(), LeadDiscipline.THERAPIST, NOW + timedelta(hours=20), NOW)
    assert (visit.discipline, visit.purpose, visit.urgent) == ("occupational-therapist", VisitPurpose.FIRST_RESPONSE, True)
    assert (visit.earliest_start, visit.latest_start) == (NOW, NOW + timedelta(hours=20))
    assert visit.replan_window(NOW, 12) == (NOW, NOW + timedelta(hours=21))
    assert visit.planned().deadline == NOW + timedelta(hours=20)
    overdue = lead_visit(uuid4(), None, LeadDiscipline.NURSE, NOW - timedelta(hours=1), NOW, VisitPurpose.ASSESSMENT)
    assert overdue.latest_start == NOW
    assert not overdue.urgent
    assert overdue.replan_window(NOW, 12) == (NOW, NOW + timedelta(hours=12))


def test_waiting_re_plans_are_batched_into_one_covering_every_window_from_now() -> None:
    now = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    requests = [
        ReplanRequest((now - timedelta(minutes=5), now + timedelta(hours=12)), "first-response visit planned", now),
        ReplanRequest((now, now + timedelta(hours=26)), "assessment visit planned", now),
        ReplanRequest((now + timedelta(hours=1), now + timedelta(hours=12)), "first-response visit planned", now),
    ]
    window, trigger = batched(requests, now)
    assert window == (now, now + timedelta(hours=26))  # never from the past
    assert trigger == "3 requests: first-response visit planned (2), assessment visit planned"


def test_one_waiting_re_plan_keeps_its_own_trigger_and_none_is_refused() -> None:
    now = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    one = ReplanRequest((now, now + timedelta(hours=12)), "first-response visit planned", now)
    assert batched([one], now) == ((now, now + timedelta(hours=12)), "first-response visit planned")
    with pytest.raises(ValueError, match="no re-plan"):
        batched([], now)
