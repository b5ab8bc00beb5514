"""The response clock's rules, without a database: when a clock is at risk, breached or met, each
once, and why it is at risk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached
from carerelay_contract.vocabulary import ResponseTier
from carerelay_triage.domain.response_clock import ResponseClock, alarms, at_risk_point, met

RECEIVED = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
DEADLINE = RECEIVED + timedelta(hours=2)


def clock(**changes: Any) -> ResponseClock:
    """A UCR 2-hour clock received at 08:00, at risk from 09:30 (75%), nothing fired yet."""
    started = ResponseClock(episode_id=uuid4(), referral_id=uuid4(), received_at=RECEIVED)
    return replace(started.with_deadline(ResponseTier.UCR_2H, DEADLINE, 0.75), **changes)


def test_the_at_risk_point_is_the_fraction_of_the_allowed_time() -> None:
    assert at_risk_point(RECEIVED, DEADLINE, 0.75) == RECEIVED + timedelta(minutes=90)
    assert clock().at_risk_at == RECEIVED + timedelta(minutes=90)
    assert clock().tier == ResponseTier.UCR_2H


def test_nothing_fires_before_the_at_risk_point() -> None:
    assert alarms(clock(), RECEIVED + timedelta(minutes=89)) == ()


def test_with_no_visit_assigned_it_is_at_risk_from_the_at_risk_point() -> None:
    now = RECEIVED + timedelta(minutes=90)
    (alarm,) = alarms(clock(), now)

    assert isinstance(alarm, ResponseClockAtRisk)
    assert (alarm.why, alarm.at, alarm.deadline, alarm.tier) == ("no visit assigned", now, DEADLINE, ResponseTier.UCR_2H)


def test_a_visit_assigned_in_time_keeps_it_off_risk_until_the_deadline() -> None:
    in_time = clock(assigned_start=RECEIVED + timedelta(minutes=100))

    assert alarms(in_time, RECEIVED + timedelta(minutes=119)) == ()
    at_deadline = alarms(in_time, DEADLINE)
    assert [type(alarm) for alarm in at_deadline] == [ResponseClockAtRisk, ResponseClockBreached]


def test_a_visit_due_after_the_deadline_puts_it_at_risk_at_once() -> None:
    late = clock(assigned_start=DEADLINE + timedelta(minutes=1))

    (alarm,) = alarms(late, RECEIVED + timedelta(minutes=5))

    assert isinstance(alarm, ResponseClockAtRisk)
    assert alarm.why == "the assigned visit is due after the deadline"


def test_at_the_deadline_a_breach_comes_with_its_at_risk_if_that_has_not_fired() -> None:
    fired = alarms(clock(), DEADLINE)
    (only,) = alarms(clock(at_risk_fired=True), DEADLINE)

    assert [type(alarm) for alarm in fired] == [ResponseClockAtRisk, ResponseClockBreached]
    assert isinstance(only, ResponseClockBreached)
    assert (only.at, only.deadline, only.tier) == (DEADLINE, DEADLINE, ResponseTier.UCR_2H)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"at_risk_fired": True, "breached_fired": True}, id="both-fired"),
        pytest.param({"stopped": True}, id="stopped"),
        pytest.param({"first_contact_at": RECEIVED + timedelta(minutes=30)}, id="first-contact-made"),
        pytest.param({"deadline": None, "tier": None, "at_risk_at": None}, id="not-yet-triaged"),
    ],
)
def test_nothing_fires_twice_nor_for_a_clock_that_is_not_running(changes: dict[str, Any]) -> None:
    assert alarms(clock(**changes), DEADLINE + timedelta(hours=1)) == ()


def test_first_contact_in_time_is_met_with_the_minutes_it_took() -> None:
    first_contact = RECEIVED + timedelta(minutes=75, seconds=30)

    event = met(clock(), first_contact)

    assert event is not None
    assert (event.first_contact_at, event.minutes_to_first_contact, event.deadline) == (first_contact, 75, DEADLINE)


def test_first_contact_at_the_deadline_is_still_met() -> None:
    assert met(clock(), DEADLINE) is not None


@pytest.mark.parametrize(
    ("changes", "at"),
    [
        pytest.param({}, DEADLINE + timedelta(seconds=1), id="late"),
        pytest.param({"met_fired": True}, RECEIVED + timedelta(minutes=5), id="already-met"),
        pytest.param({"stopped": True}, RECEIVED + timedelta(minutes=5), id="stopped"),
        pytest.param({"deadline": None, "tier": None}, RECEIVED + timedelta(minutes=5), id="not-yet-triaged"),
    ],
)
def test_first_contact_is_not_met_when_late_already_met_stopped_or_untriaged(changes: dict[str, Any], at: datetime) -> None:
    assert met(clock(**changes), at) is None
