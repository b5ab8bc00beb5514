"""Who is working when: patterns give shifts in local time, explicit shifts replace them, absences take
time out, long shifts have their break."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

from carerelay_scheduling.domain.planner.input import Point
from carerelay_scheduling.domain.rota import (
    LONDON,
    PATTERNS,
    Rota,
    RotaMember,
    local_day,
    minus_absences,
    on_shift,
    pattern_shift,
    with_break,
)

MONDAY = date(2025, 3, 10)
BASE = Point(52.6369, -1.1398)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def a_member(pattern: str = "early") -> RotaMember:
    return RotaMember(uuid4(), "carer", frozenset({"medication-prompt"}), pattern, BASE)


def test_a_night_pattern_ends_the_next_morning_in_local_time() -> None:
    start, end = pattern_shift(PATTERNS["night"], MONDAY)
    assert (start, end) == (local(MONDAY, 21), local(MONDAY + timedelta(days=1), 7, 30))


def test_a_long_shift_has_a_half_hour_break_around_its_middle_and_a_short_one_none() -> None:
    shift = with_break(local(MONDAY, 7), local(MONDAY, 15))
    assert shift.break_minutes == 30
    assert (shift.break_earliest, shift.break_latest) == (local(MONDAY, 10), local(MONDAY, 11, 30))
    assert with_break(local(MONDAY, 7), local(MONDAY, 11)).break_minutes == 0


def test_an_absence_leaves_the_longest_stretch_of_the_shift() -> None:
    shift = (local(MONDAY, 7), local(MONDAY, 15))
    assert minus_absences(shift, [(local(MONDAY, 12), local(MONDAY, 18))]) == (local(MONDAY, 7), local(MONDAY, 12))
    assert minus_absences(shift, [(local(MONDAY, 6), local(MONDAY, 16))]) is None


def test_on_shift_gives_the_pattern_clipped_to_the_window() -> None:
    member = a_member("early")
    window = (local(MONDAY, 9).astimezone(UTC), local(MONDAY, 21).astimezone(UTC))
    (working,) = [each.member for each in on_shift(Rota([member]), window)]
    assert (working.shift.start, working.shift.end) == (local(MONDAY, 9), local(MONDAY, 15))
    assert working.base == BASE
    assert working.skills == member.skills


def test_an_explicit_shift_replaces_the_pattern_and_an_absence_takes_time_out() -> None:
    member = a_member("early")
    window = (local(MONDAY, 0).astimezone(UTC), local(MONDAY + timedelta(days=1), 0).astimezone(UTC))
    rota = Rota(
        [member],
        shifts={member.staff_id: [(local(MONDAY, 16), local(MONDAY, 23), 0)]},
        absences={member.staff_id: [(local(MONDAY, 16), local(MONDAY, 18))]},
    )
    (working,) = [each.member for each in on_shift(rota, window)]
    assert (working.shift.start, working.shift.end, working.shift.break_minutes) == (local(MONDAY, 18), local(MONDAY, 23), 0)


def test_someone_absent_all_shift_or_on_an_unknown_pattern_is_not_working() -> None:
    away, unknown = a_member("early"), a_member("weekends-only")
    window = (local(MONDAY, 6).astimezone(UTC), local(MONDAY, 16).astimezone(UTC))
    rota = Rota([away, unknown], absences={away.staff_id: [(local(MONDAY, 0), local(MONDAY, 23))]})
    assert on_shift(rota, window) == []


def test_a_local_day_is_23_hours_long_when_the_clocks_go_forward() -> None:
    start, end = local_day(date(2025, 3, 30))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)  # same-zone subtraction is wall-clock


def test_a_live_re_plan_gives_the_shift_in_progress_and_a_whole_days_plan_the_longest() -> None:
    member = a_member("early")  # 07:00-15:00 each day
    window = (local(MONDAY, 13).astimezone(UTC), local(MONDAY + timedelta(days=2), 13).astimezone(UTC))
    (longest,) = on_shift(Rota([member]), window)
    assert (longest.member.shift.start, longest.member.shift.end) == (
        local(MONDAY + timedelta(days=1), 7),
        local(MONDAY + timedelta(days=1), 15),
    )
    (live,) = on_shift(Rota([member]), window, next_first=True)
    assert (live.member.shift.start, live.member.shift.end) == (local(MONDAY, 13), local(MONDAY, 15))
    assert live.other_stretches == (
        (local(MONDAY + timedelta(days=1), 7), local(MONDAY + timedelta(days=1), 15)),
        (local(MONDAY + timedelta(days=2), 7), local(MONDAY + timedelta(days=2), 13)),
    )


def test_someone_off_until_tomorrow_is_planned_in_tomorrows_shift_by_a_live_re_plan() -> None:
    member = a_member("early")
    window = (local(MONDAY, 16).astimezone(UTC), local(MONDAY + timedelta(days=1), 16).astimezone(UTC))
    (live,) = on_shift(Rota([member]), window, next_first=True)
    assert (live.member.shift.start, live.member.shift.end) == (
        local(MONDAY + timedelta(days=1), 7),
        local(MONDAY + timedelta(days=1), 15),
    )
    assert live.other_stretches == ()
