"""Solution quality of the scheduling routing core on the 56 Solomon VRPTW instances (100 visits):
gap to the best-known distance with the best-known fleet, at a fixed time per instance.

    .venv/bin/python bench/solomon.py [--seconds 5] [--data ../shared/bench-data/solomon] [--only C101,R101]

Prints a table (instance, vehicles used / allowed, distance, best known, gap %, feasible) and the
mean gap. Target: mean gap at most 0.5% at 5 s per instance. Distances follow the DIMACS convention
(Euclidean, truncated to one decimal), as best_known.csv does.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

import vrplib
from solomon_routing import Fleet, Place, plan_routes

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "bench-data" / "solomon"


def instance(path: Path) -> tuple[Place, list[Place], Fleet]:
    data = vrplib.read_instance(str(path), instance_format="solomon")
    places = [
        Place(
            x=float(x),
            y=float(y),
            earliest=int(window[0]) * 10,
            latest=int(window[1]) * 10,
            service=int(service) * 10,
            demand=int(demand),
        )
        for (x, y), window, service, demand in zip(
            data["node_coord"], data["time_window"], data["service_time"], data["demand"], strict=True
        )
    ]
    return places[0], places[1:], Fleet(size=int(data["vehicles"]), capacity=int(data["capacity"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    with (args.data / "best_known.csv").open() as handle:
        best = {row["instance"]: (int(row["vehicles"]), float(row["best_known_distance"])) for row in csv.DictReader(handle)}
    names = [name for name in sorted(best) if not args.only or name in args.only.split(",")]
    gaps: list[float] = []
    print(f"{'instance':<9} {'vehicles':>8} {'distance':>10} {'best known':>10} {'gap %':>7} feasible  seconds")
    for name in names:
        base, visits, fleet = instance(args.data / f"{name}.txt")
        started = time.monotonic()
        plan = plan_routes(base, visits, fleet, seconds=args.seconds)
        elapsed = time.monotonic() - started
        distance = plan.distance / 10
        gap = 100 * (distance - best[name][1]) / best[name][1]
        if plan.feasible:
            gaps.append(gap)
        print(
            f"{name:<9} {plan.vehicles_used:>4}/{fleet.size:<3} {distance:>10.1f} {best[name][1]:>10.1f} {gap:>7.2f} "
            f"{'yes' if plan.feasible else 'NO':<9} {elapsed:>6.1f}"
        )
    feasible = len(gaps)
    print(
        f"\nmean gap {statistics.mean(gaps):.2f}% over {feasible} feasible of {len(names)} instances "
        f"(max {max(gaps):.2f}%), {args.seconds:g} s each"
    )


if __name__ == "__main__":
    main()
