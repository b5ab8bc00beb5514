"""Care plans as visits: one per day per preferred window, the hard window an hour either side (within
the day team's hours when the agreed window is), made a few days ahead; a changed plan's old visits go."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

from carerelay_contract.parts import RecurringVisit, TimeWindow
from carerelay_scheduling.domain.care_plans import MadeVisit, horizon_day, no_longer_wanted, slots, wanted
from carerelay_scheduling.domain.rota import LONDON

MONDAY = date(2025, 3, 10)


def a_line(*windows: tuple[time, time], days: int = 5, **changes: object) -> RecurringVisit:
    fields: dict[str, object] = {
        "discipline": "carer",
        "preferred_windows": [TimeWindow(start=start, end=end) for start, end in windows],
        "duration_minutes": 30,
        "starts_on": MONDAY,
        "ends_on": MONDAY + timedelta(days=days - 1),
    }
    return RecurringVisit.model_validate(fields | changes)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def test_a_morning_window_is_preferred_and_the_hard_window_is_an_hour_either_side() -> None:
    (slot,) = slots(a_line((time(8, 0), time(9, 30))), MONDAY)
    assert slot.preferred_start == local(MONDAY, 8)
    assert slot.preferred_end == local(MONDAY, 9)  # the visit must start by then to end in the window
    assert (slot.earliest_start, slot.latest_start) == (local(MONDAY, 7), local(MONDAY, 10))
    assert slot.earliest_start.tzinfo == UTC


def test_the_hard_window_stays_within_the_day_teams_hours() -> None:
    (slot,) = slots(a_line((time(7, 15), time(8, 0))), MONDAY)
    assert slot.earliest_start == local(MONDAY, 7)  # not 06:15: the night team does not make day visits


def test_a_night_window_is_not_clipped_to_the_day() -> None:
    (slot,) = slots(a_line((time(22, 30), time(23, 30))), MONDAY)
    assert slot.earliest_start == local(MONDAY, 21, 30)


def test_no_visits_outside_the_plans_dates() -> None:
    line = a_line((time(8, 0), time(9, 0)), days=2)
    assert slots(line, MONDAY - timedelta(days=1)) == []
    assert slots(line, MONDAY + timedelta(days=2)) == []


def test_visits_are_wanted_from_now_through_the_horizon_one_per_slot() -> None:
    line = a_line((time(8, 0), time(9, 0)), (time(18, 0), time(19, 0)))
    now = local(MONDAY, 12).astimezone(UTC)  # the morning visit has passed
    asked = wanted([line], now, horizon_day(now))
    starts = sorted(start.astimezone(LONDON) for start, _ in asked)
    assert starts[0] == local(MONDAY, 17)
    assert len(asked) == 1 + 2 * 2  # this evening, then two days ahead
    assert horizon_day(now) == MONDAY + timedelta(days=2)


def test_a_changed_plan_cancels_the_visits_it_no_longer_asks_for_within_the_days_made() -> None:
    now = local(MONDAY, 6).astimezone(UTC)
    through = MONDAY + timedelta(days=1)
    evening_only = wanted([a_line((time(18, 0), time(19, 0)))], now, through)
    morning = MadeVisit(uuid4(), local(MONDAY, 7).astimezone(UTC), "carer")
    evening = MadeVisit(uuid4(), local(MONDAY, 17).astimezone(UTC), "carer")
    later = MadeVisit(uuid4(), local(MONDAY + timedelta(days=5), 7).astimezone(UTC), "carer")
    assert no_longer_wanted([morning, evening, later], evening_only, through) == [morning.visit_id]
