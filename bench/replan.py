"""The daily planner on a synthetic county: one day's plan, then real-time re-planning latency.

    .venv/bin/python bench/replan.py [--plan-seconds 30] [--replan-seconds 0.8] [--trials 20] [--seed 7]

Builds a seeded county (60 staff over 4 bases, mixed disciplines and skills, day and evening shifts with a
30-minute break; 600 visits over 300 homes: care calls with preferred windows and continuity histories,
nursing and therapy visits, some double-handed), plans the day within --plan-seconds and prints a summary.
Then, --trials times, at a random moment of the day: drops the visits already started, starts each member
of staff where and when they are next free, inserts one urgent 2-hour response and re-plans from the live
plan within --replan-seconds, timing the whole call (building the problem, solving, `changes`). Prints a
table and p50 / p95 latency, with how many other visits changed hands. Last run: bench/results-replan.txt.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from carerelay_scheduling.domain.planner.input import DOUBLE_HANDED_SKILL, Point, Shift, StaffMember, VisitNeed
from carerelay_scheduling.domain.planner.plan import plan_day
from carerelay_scheduling.domain.planner.result import DayPlan, changes
from carerelay_scheduling.settings import SchedulingSettings

LONDON = ZoneInfo("Europe/London")
DAY = datetime(2025, 3, 10, tzinfo=LONDON)
CENTRE = Point(52.65, 1.05)  # a Norfolk-sized county
KM_LAT = 1 / 111.195

STAFF_MIX = [  # discipline, how many, skills each may have (with probability)
    ("carer", 28, {"medication-prompt": 0.8, DOUBLE_HANDED_SKILL: 0.5, "catheter-care": 0.15}),
    ("reablement-worker", 10, {"medication-prompt": 0.6, DOUBLE_HANDED_SKILL: 0.5}),
    ("healthcare-assistant", 6, {"insulin": 0.5, DOUBLE_HANDED_SKILL: 0.4, "catheter-care": 0.3}),
    ("nurse", 8, {"insulin": 0.9, "catheter-care": 0.8, "wound-care": 0.9}),
    ("occupational-therapist", 3, {}),
    ("physiotherapist", 3, {}),
    ("social-worker", 2, {}),
]
CARE = frozenset({"carer", "reablement-worker", "healthcare-assistant"})
SHIFTS = [(7, 15), (8, 16), (7, 15), (13, 21), (14, 22)]
CLINICAL_SHIFTS = [(8, 16), (8, 17), (9, 17), (12, 20), (14, 22)]  # rapid response runs into the evening
CARE_CALLS = [  # hard window, preferred window (hours), minutes
    ((7.0, 10.5), (7.5, 9.0), 30),
    ((11.5, 14.0), (12.0, 13.0), 20),
    ((15.5, 18.0), (16.0, 17.0), 20),
    ((18.0, 21.0), (18.5, 20.0), 30),
]


def at(hours: float) -> datetime:
    return DAY + timedelta(minutes=round(hours * 60))


def around(rng: random.Random, centre: Point, km: float) -> Point:
    north, east = rng.gauss(0, km), rng.gauss(0, km)
    return Point(centre.latitude + north * KM_LAT, centre.longitude + east * KM_LAT / math.cos(math.radians(centre.latitude)))


@dataclass(frozen=True)
class County:
    staff: list[StaffMember]
    visits: list[VisitNeed]


def county(seed: int) -> County:
    rng = random.Random(seed)
    bases = [around(rng, CENTRE, 15) for _ in range(4)]
    staff = [_member(rng, bases, discipline, skills) for discipline, count, skills in STAFF_MIX for _ in range(count)]
    visits: list[VisitNeed] = []
    for home in range(300):
        visits += _home_visits(rng, bases, staff, home)
    return County(staff, visits[:600])


def _member(rng: random.Random, bases: list[Point], discipline: str, skills: dict[str, float]) -> StaffMember:
    start, end = rng.choice(SHIFTS) if discipline in CARE else rng.choice(CLINICAL_SHIFTS)
    middle = (start + end) / 2
    shift = Shift(at(start), at(end), break_minutes=30, break_earliest=at(middle - 1), break_latest=at(middle + 0.5))
    has = frozenset(skill for skill, chance in skills.items() if rng.random() < chance)
    return StaffMember(_uuid(rng), discipline, has, rng.choice(bases), shift)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def _home_visits(rng: random.Random, bases: list[Point], everyone: list[StaffMember], home: int) -> list[VisitNeed]:
    base = rng.choice(bases)
    person, where = _uuid(rng), around(rng, base, 5)
    staff = [s for s in everyone if s.base == base]  # who has been before works from the local base
    kind = home % 10
    clinical = [_nursing(rng, person, where, staff)] if kind < 2 else [_therapy(rng, person, where, staff)] if kind < 3 else []
    if kind < 3 and rng.random() < 0.7:
        return clinical
    calls = sorted(rng.sample(CARE_CALLS, 3 if rng.random() < 0.3 else 2))  # typical plans: 2-3 calls a day (Mrs A: 2)
    double = rng.random() < 0.08
    needs = frozenset({"medication-prompt"}) if rng.random() < 0.4 else frozenset()
    history = _history(rng, [s for s in staff if s.discipline in CARE and needs <= s.skills])
    care = [
        _visit(rng, person, where, hard, preferred, minutes, CARE, needs, staff, history, double_handed=double and index == 0)
        for index, (hard, preferred, minutes) in enumerate(calls)
    ]
    return clinical + care


def _nursing(rng: random.Random, person: UUID, where: Point, staff: list[StaffMember]) -> VisitNeed:
    skill = rng.choice(["insulin", "catheter-care", "wound-care"])
    return _visit(rng, person, where, (9, 16), None, 45, frozenset({"nurse"}), frozenset({skill}), staff)


def _therapy(rng: random.Random, person: UUID, where: Point, staff: list[StaffMember]) -> VisitNeed:
    return _visit(
        rng, person, where, (9, 16), None, 60, frozenset({"occupational-therapist", "physiotherapist"}), frozenset(), staff
    )


def _visit(
    rng: random.Random,
    person: UUID,
    where: Point,
    hard: tuple[float, float],
    preferred: tuple[float, float] | None,
    minutes: int,
    disciplines: frozenset[str],
    skills: frozenset[str],
    staff: list[StaffMember],
    familiar: dict[UUID, int] | None = None,
    *,
    double_handed: bool = False,
) -> VisitNeed:
    if familiar is None:
        familiar = _history(rng, [s for s in staff if s.discipline in disciplines and skills <= s.skills])
    agreed = preferred is not None and rng.random() < 0.8
    return VisitNeed(
        visit_id=_uuid(rng),
        person_ref=person,
        location=where,
        earliest_start=at(hard[0]),
        latest_start=at(hard[1]),
        duration_minutes=minutes,
        disciplines=disciplines,
        required_skills=skills,
        double_handed=double_handed,
        preferred_start=at(preferred[0]) if preferred and agreed else None,
        preferred_end=at(preferred[1]) if preferred and agreed else None,
        familiar_staff=familiar,
    )


def _history(rng: random.Random, able: list[StaffMember]) -> dict[UUID, int]:
    """Who has been before (continuity): up to three people, a few visits each; a third of people are new."""
    return {s.staff_id: rng.randint(1, 8) for s in rng.sample(able, min(len(able), rng.choice([0, 1, 2, 3])))}


def summary(visits: list[VisitNeed], plan: DayPlan) -> list[str]:
    reasons = Counter(u.reason for u in plan.unassigned.values())
    with_history = [v for v in visits if v.visit_id in plan.assignments and v.familiar_staff]
    kept = sum(1 for v in with_history if set(plan.assignments[v.visit_id].staff_ids) & set(v.familiar_staff))
    preferred = [v for v in visits if v.visit_id in plan.assignments and v.preferred_start is not None]
    met = sum(1 for v in preferred if "in the preferred window" in plan.assignments[v.visit_id].why)
    doubles = sum(1 for v in visits if v.double_handed)
    doubles_made = sum(1 for v in visits if v.double_handed and v.visit_id in plan.assignments)
    lines = [
        f"assigned {len(plan.assignments)} of {len(visits)}, unassigned {len(plan.unassigned)}, "
        f"feasible {'yes' if plan.feasible else 'NO'}, {plan.solve_seconds:.1f} s",
        f"travel {plan.travel_minutes} min ({plan.travel_minutes / max(1, len(plan.assignments)):.1f} per visit), "
        f"breaks {len(plan.breaks)}, double-handed {doubles_made}/{doubles}",
        f"continuity: {kept}/{len(with_history)} visits with a history made by a familiar person "
        f"({100 * kept / max(1, len(with_history)):.0f}%)",
        f"preferred window met: {met}/{len(preferred)} ({100 * met / max(1, len(preferred)):.0f}%)",
    ]
    lines += [f"  unassigned: {count:>3}  {reason}" for reason, count in reasons.most_common()]
    return lines


def situation(rng: random.Random, world: County, plan: DayPlan, now: datetime) -> tuple[list[StaffMember], list[VisitNeed]]:
    """The day at `now` as the service would pass it: visits already started left out, staff free when and where
    their visit in hand ends, breaks already started no longer due, the live plan on every remaining visit."""
    by_id = {v.visit_id: v for v in world.visits}
    staff: list[StaffMember] = []
    for member in world.staff:
        free_at, free_from = member.base, now
        for visit_id in plan.routes.get(member.staff_id, []):
            made = plan.assignments[visit_id]
            if made.start < now:  # started: free when it ends, there (maybe already travelling to the next)
                visit = by_id[visit_id]
                free_at, free_from = visit.location, made.start + timedelta(minutes=visit.duration_minutes)
        shift = member.shift
        lunch = plan.breaks.get(member.staff_id)
        if lunch is not None and lunch < now:
            if lunch + timedelta(minutes=shift.break_minutes) > free_from:
                free_at, free_from = member.base, lunch + timedelta(minutes=shift.break_minutes)
            shift = replace(shift, break_minutes=0, break_earliest=None, break_latest=None)
        if max(free_from, now) < shift.end:
            staff.append(replace(member, shift=shift, available_from=max(free_from, shift.start), available_at=free_at))
    remaining = [
        replace(v, current_staff=plan.assignments[v.visit_id].staff_ids, current_start=plan.assignments[v.visit_id].start)
        if v.visit_id in plan.assignments
        else v
        for v in world.visits
        if v.visit_id not in plan.assignments or plan.assignments[v.visit_id].start >= now
    ]
    return staff, [r for r in remaining if r.latest_start >= now]


def urgent(rng: random.Random, world: County, now: datetime) -> VisitNeed:
    """A 2-hour Urgent Community Response (a fall, say) to someone new, led by a nurse."""
    where = rng.choice(world.staff).base
    return VisitNeed(
        visit_id=_uuid(rng),
        person_ref=_uuid(rng),
        location=around(rng, where, 6),
        earliest_start=now + timedelta(minutes=15),
        latest_start=now + timedelta(minutes=120),
        duration_minutes=60,
        disciplines=frozenset({"nurse"}),
        urgent=True,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-seconds", type=float, default=30.0)
    parser.add_argument("--replan-seconds", type=float, default=SchedulingSettings.model_fields["replan_seconds"].default)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    world = county(args.seed)
    print(f"county: {len(world.staff)} staff, {len(world.visits)} visits, {len({v.person_ref for v in world.visits})} homes")
    plan = plan_day(world.staff, world.visits, seconds=args.plan_seconds, seed=args.seed)
    print(f"\ndaily plan ({args.plan_seconds:g} s budget)")
    print("\n".join(summary(world.visits, plan)))
    rng = random.Random(args.seed + 1)
    latencies: list[float] = []
    print(f"\nre-plan: insert one urgent visit, {args.replan_seconds:g} s budget")
    print(
        f"{'trial':>5} {'now':>5} {'staff':>5} {'visits':>6} {'urgent':>6} {'seconds':>7} "
        f"{'other staff':>11} {'re-timed':>8} {'dropped':>7} {'newly placed':>12}"
    )
    for trial in range(1, args.trials + 1):
        now = at(rng.uniform(8.5, 16.0))
        staff, visits = situation(rng, world, plan, now)
        new = urgent(rng, world, now)
        started = time.monotonic()
        replanned = plan_day(staff, [*visits, new], seconds=args.replan_seconds, seed=args.seed, now=now)
        found = changes([*visits, new], replanned)
        elapsed = time.monotonic() - started
        latencies.append(elapsed)
        live = {v.visit_id for v in visits if v.current_staff}
        kinds = Counter(c.kind if c.visit_id in live else "newly" for c in found if c.visit_id != new.visit_id)
        made = "yes" if new.visit_id in replanned.assignments else "NO"
        print(
            f"{trial:>5} {now:%H:%M} {len(staff):>5} {len(visits):>6} {made:>6} {elapsed:>7.2f} "
            f"{kinds['assigned']:>11} {kinds['rescheduled']:>8} {kinds['unassigned']:>7} {kinds['newly']:>12}"
        )
    print(
        f"\nre-plan latency p50 {statistics.median(latencies):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
        f"max {max(latencies):.2f} s over {args.trials} trials ({args.replan_seconds:g} s solver budget)"
    )


if __name__ == "__main__":
    main()
