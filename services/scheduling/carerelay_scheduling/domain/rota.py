"""Who is working when: each member of staff's working pattern gives their shifts (local time,
Europe/London), explicit `shifts` rows replace the pattern for a day, and absences (sickness, leave)
take time out of them.

Patterns follow the service model in ../shared/domain.md: planned visits mostly 07:00-22:00 (early and
late day-team shifts), rapid response 24/7 (a day and a night shift), a night team 21:00-07:30.
A shift of six hours or more has a 30-minute break, taken around its middle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from .planner.input import Point, Shift, StaffMember

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Pattern:
    starts: time
    ends: time  # on the next day when not after `starts`


PATTERNS: dict[str, Pattern] = {
    "early": Pattern(time(7, 0), time(15, 0)),
    "late": Pattern(time(14, 0), time(22, 0)),
    "day": Pattern(time(8, 30), time(17, 0)),
    "rapid-day": Pattern(time(8, 0), time(20, 0)),
    "rapid-night": Pattern(time(20, 0), time(8, 0)),
    "night": Pattern(time(21, 0), time(7, 30)),
}

BREAK_MINUTES = 30
BREAK_FROM_HOURS = 6


def local_day(day: date) -> tuple[datetime, datetime]:
    """Local midnight to local midnight (a day is 23 or 25 hours long when the clocks change)."""
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def pattern_shift(pattern: Pattern, day: date) -> tuple[datetime, datetime]:
    """The shift a pattern gives on a local day, as aware UTC datetimes."""
    start = datetime.combine(day, pattern.starts, LONDON)
    end_day = day if pattern.ends > pattern.starts else day + timedelta(days=1)
    end = datetime.combine(end_day, pattern.ends, LONDON)
    return start.astimezone(UTC), end.astimezone(UTC)


def with_break(start: datetime, end: datetime, break_minutes: int = BREAK_MINUTES) -> Shift:
    """A shift, with its break (around the middle, an hour either way) when it is long enough."""
    if break_minutes <= 0 or end - start < timedelta(hours=BREAK_FROM_HOURS):
        return Shift(start=start, end=end)
    middle = start + (end - start) / 2
    return Shift(
        start=start,
        end=end,
        break_minutes=break_minutes,
        break_earliest=middle - timedelta(hours=1),
        break_latest=middle + timedelta(hours=1) - timedelta(minutes=break_minutes),
    )


def clip(shift: tuple[datetime, datetime], window: tuple[datetime, datetime]) -> tuple[datetime, datetime] | None:
    start, end = max(shift[0], window[0]), min(shift[1], window[1])
    return (start, end) if end - start >= timedelta(minutes=30) else None


def minus_absences(
    shift: tuple[datetime, datetime], absences: list[tuple[datetime, datetime]]
) -> tuple[datetime, datetime] | None:
    """What is left of a shift once absences are taken out: the longest remaining stretch (a person
    who goes home sick at noon keeps their morning; one who starts late after an appointment works on)."""
    pieces = [shift]
    for away_from, away_to in absences:
        next_pieces = []
        for start, end in pieces:
            if away_to <= start or away_from >= end:
                next_pieces.append((start, end))
                continue
            if away_from > start:
                next_pieces.append((start, away_from))
            if away_to < end:
                next_pieces.append((away_to, end))
        pieces = next_pieces
    pieces = [piece for piece in pieces if piece[1] - piece[0] >= timedelta(minutes=30)]
    return max(pieces, key=lambda piece: piece[1] - piece[0]) if pieces else None


@dataclass(frozen=True)
class RotaMember:
    """A member of staff on the rota, as the planner needs them."""

    staff_id: UUID
    discipline: str
    skills: frozenset[str]
    working_pattern: str
    """A key of PATTERNS (a pattern not listed there gives no shifts)."""
    base: Point


Stretch = tuple[datetime, datetime]


@dataclass(frozen=True)
class Rota:
    """The rota around a window: the active staff, their explicit shifts (start, end, break minutes) and
    their absences."""

    members: Sequence[RotaMember]
    shifts: Mapping[UUID, list[tuple[datetime, datetime, int]]] = field(default_factory=dict)
    absences: Mapping[UUID, list[Stretch]] = field(default_factory=dict)


@dataclass(frozen=True)
class Working:
    """A member of staff as the planner sees them in a window: one shift (a planner's route), and the
    member's other stretches of work in the window, when they have more than one shift in it."""

    member: StaffMember
    other_stretches: tuple[Stretch, ...] = ()


def stretches_of_work(rota: Rota, member: RotaMember, window: Stretch) -> list[tuple[datetime, datetime, int]]:
    """Each of the member's shifts in the window, clipped to it, with absences taken out, in time order."""
    candidates = rota.shifts.get(member.staff_id)
    if candidates is None:
        pattern = PATTERNS.get(member.working_pattern)
        if pattern is None:
            return []
        first_day = window[0].astimezone(LONDON).date() - timedelta(days=1)
        last_day = window[1].astimezone(LONDON).date()
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        candidates = [(*pattern_shift(pattern, day), BREAK_MINUTES) for day in days]
    stretches = []
    for start, end, break_minutes in candidates:
        clipped = clip((start, end), window)
        remaining = minus_absences(clipped, rota.absences.get(member.staff_id, [])) if clipped else None
        if remaining:
            stretches.append((remaining[0], remaining[1], break_minutes))
    return sorted(stretches)


def on_shift(rota: Rota, window: Stretch, *, next_first: bool = False) -> list[Working]:
    """Everyone working in the window, one shift each, clipped to it, with absences taken out. Explicit
    shifts replace the member's pattern. The shift is the one overlapping the window most (a whole day's
    plan: the day's shift, not the end of last night's), or with `next_first` the one in progress or next
    to start (a live re-plan: today's shift, not a longer one tomorrow that would leave today's visits
    without the people they were given); the member's other stretches of work come with it."""
    working = []
    for member in rota.members:
        stretches = stretches_of_work(rota, member, window)
        if not stretches:
            continue
        chosen = stretches[0] if next_first else max(stretches, key=lambda stretch: stretch[1] - stretch[0])
        working.append(
            Working(
                StaffMember(
                    staff_id=member.staff_id,
                    discipline=member.discipline,
                    skills=member.skills,
                    base=member.base,
                    shift=with_break(chosen[0], chosen[1], chosen[2]),
                ),
                tuple((stretch[0], stretch[1]) for stretch in stretches if stretch != chosen),
            )
        )
    return working
