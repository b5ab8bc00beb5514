from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from carerelay_contract.vocabulary import NotificationAudience
from carerelay_notifications.domain.quiet_hours import hold_until, release_time

LONDON = ZoneInfo("Europe/London")
NIGHT, MORNING = time(21, 0), time(8, 0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_the_evening_waits_until_eight_the_next_morning() -> None:
    assert release_time(at("2026-01-14T22:30:00+00:00"), NIGHT, MORNING, LONDON) == at("2026-01-15T08:00:00+00:00")


def test_the_small_hours_wait_until_eight_the_same_morning() -> None:
    assert release_time(at("2026-01-15T03:00:00+00:00"), NIGHT, MORNING, LONDON) == at("2026-01-15T08:00:00+00:00")


def test_the_day_is_not_quiet_and_the_edges_are_half_open() -> None:
    assert release_time(at("2026-01-15T12:00:00+00:00"), NIGHT, MORNING, LONDON) is None
    assert release_time(at("2026-01-15T08:00:00+00:00"), NIGHT, MORNING, LONDON) is None
    assert release_time(at("2026-01-15T20:59:59+00:00"), NIGHT, MORNING, LONDON) is None
    assert release_time(at("2026-01-15T21:00:00+00:00"), NIGHT, MORNING, LONDON) is not None


def test_local_time_is_used_in_summer() -> None:
    # 20:30 UTC is 21:30 BST: quiet; it ends at 08:00 BST, which is 07:00 UTC.
    assert release_time(at("2026-07-01T20:30:00+00:00"), NIGHT, MORNING, LONDON) == at("2026-07-02T07:00:00+00:00")


def test_the_night_the_clocks_go_forward_still_ends_at_eight_local() -> None:
    # 29 March 2026: clocks go forward at 01:00 UTC. 23:00 GMT on the 28th waits until 08:00 BST on the 29th.
    assert release_time(at("2026-03-28T23:00:00+00:00"), NIGHT, MORNING, LONDON) == at("2026-03-29T07:00:00+00:00")


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    assert release_time(at("2026-01-15T03:00:00+00:00"), time(0, 0), time(0, 0), LONDON) is None


def test_quiet_hours_within_one_day() -> None:
    assert release_time(at("2026-01-15T13:30:00+00:00"), time(13, 0), time(14, 0), LONDON) == at("2026-01-15T14:00:00+00:00")


def test_urgent_messages_and_staff_messages_are_never_held() -> None:
    night = at("2026-01-15T02:00:00+00:00")
    assert hold_until(night, NotificationAudience.FAMILY, False, NIGHT, MORNING, LONDON) is not None
    assert hold_until(night, NotificationAudience.PATIENT, False, NIGHT, MORNING, LONDON) is not None
    assert hold_until(night, NotificationAudience.FAMILY, True, NIGHT, MORNING, LONDON) is None
    assert hold_until(night, NotificationAudience.FIELD_STAFF, False, NIGHT, MORNING, LONDON) is None
    assert hold_until(night, NotificationAudience.HUB, False, NIGHT, MORNING, LONDON) is None
