"""Quiet hours: non-urgent messages to patients and families wait until the morning.

The hours are local wall-clock times (Europe/London by default), so they follow the clocks going
forward and back. Urgent messages always go; staff and hub messages are not held."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from carerelay_contract.vocabulary import NotificationAudience

HELD_AUDIENCES = frozenset({NotificationAudience.PATIENT, NotificationAudience.FAMILY})


def release_time(now: datetime, start: time, end: time, zone: ZoneInfo) -> datetime | None:
    """When quiet hours that cover `now` end (an aware UTC datetime), or None when `now` is not in them.

    Quiet hours run from `start` up to (not including) `end`, local time; they may span midnight
    (21:00-08:00). `start == end` means there are none."""
    if start == end:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
        end_day = local.date()
    else:
        quiet = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not quiet:
        return None
    release = datetime.combine(end_day, end, tzinfo=zone)
    # A wall-clock time skipped when the clocks go forward is normalised by the round trip through UTC.
    return release.astimezone(UTC)


def hold_until(
    now: datetime, audience: NotificationAudience, urgent: bool, start: time, end: time, zone: ZoneInfo
) -> datetime | None:
    """When a message requested (or due) at `now` may go, if it must wait; None when it may go now."""
    if urgent or audience not in HELD_AUDIENCES:
        return None
    return release_time(now, start, end, zone)
