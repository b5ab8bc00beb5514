"""The coordinator's day: a planning day runs 07:00 to 07:00 local, so night shifts are not cut in two;
a visit is at risk when it is planned after its window or still unplaced close to its deadline; and
each planning run is recorded with what it did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from .rota import LONDON

PLANNING_DAY_STARTS = time(7, 0)
AT_RISK_WITHIN = timedelta(minutes=30)
URGENT_AT_RISK_EARLIER = timedelta(hours=2)
"""An urgent visit nobody has yet is at risk two hours sooner."""
FURTHEST_DAY_PLAN = timedelta(days=14)

Window = tuple[datetime, datetime]


def planning_day(day: date) -> Window:
    """07:00 on `day` to 07:00 the next day, local time, in UTC."""
    start = datetime.combine(day, PLANNING_DAY_STARTS, LONDON)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def planning_day_of(moment: datetime) -> date:
    """The planning day `moment` falls in (before 07:00 it is still the day before's)."""
    return (moment - timedelta(hours=PLANNING_DAY_STARTS.hour)).astimezone(LONDON).date()


def may_plan(day: date, now: datetime) -> bool:
    """A whole day may be planned from yesterday to two weeks ahead."""
    today = now.astimezone(LONDON).date()
    return today - timedelta(days=1) <= day <= today + FURTHEST_DAY_PLAN


def rolling_window(now: datetime, hours: float) -> Window:
    """The next `hours` from now: what a live re-plan looks at."""
    return now, now + timedelta(hours=hours)


def at_risk(
    status: str, planned_start: datetime | None, latest_start: datetime, deadline: datetime | None, urgent: bool, now: datetime
) -> bool:
    """Open and either planned to start after its window, or unplaced with its deadline close."""
    late = planned_start is not None and planned_start > latest_start
    due = (deadline or latest_start) - now < AT_RISK_WITHIN + (URGENT_AT_RISK_EARLIER if urgent else timedelta(0))
    return status in ("planned", "assigned") and (late or (status == "planned" and due))


@dataclass(frozen=True)
class PlanRun:
    """One planning run: what triggered it, the window it planned, and what it did."""

    run_id: UUID
    trigger: str
    window: Window
    visits: int
    assigned: int
    unassigned: int
    changes: int
    solve_seconds: float


@dataclass(frozen=True)
class ReplanRequest:
    """A re-plan asked for (a visit planned by an event): the window to plan, why, and when it was asked."""

    window: Window
    trigger: str
    requested_at: datetime


def batched(requests: list[ReplanRequest], now: datetime) -> tuple[Window, str]:
    """One re-plan for every request waiting: the smallest window covering all of theirs (from now on), and
    a trigger that says what asked, e.g. "3 requests: first-response visit planned (2), assessment visit planned"."""
    if not requests:
        raise ValueError("no re-plan was asked for")
    start = max(now, min(request.window[0] for request in requests))
    end = max(start, max(request.window[1] for request in requests))
    counts: dict[str, int] = {}
    for request in requests:
        counts[request.trigger] = counts.get(request.trigger, 0) + 1
    if len(requests) == 1:
        return (start, end), requests[0].trigger
    said = ", ".join(trigger if n == 1 else f"{trigger} ({n})" for trigger, n in counts.items())
    return (start, end), f"{len(requests)} requests: {said}"[:200]
