"""How long re-plans take, for the operator: the whole re-plan (from the call, waiting for the planner's
lock included, to the changes written) and the planner's solve within it, as Prometheus histograms
labelled by the kind of trigger only."""

from __future__ import annotations

import re

from prometheus_client import Histogram

from ..domain.day_plan import PlanRun

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0)

REPLAN_SECONDS = Histogram(
    "carerelay_replan_seconds",
    "Whole re-plans: lock wait, reading, solving and writing the changes",
    ["trigger"],
    buckets=BUCKETS,
)
SOLVE_SECONDS = Histogram("carerelay_planner_solve_seconds", "The planner's solve within a re-plan", ["trigger"], buckets=BUCKETS)

_VARIABLE = re.compile(r"\S*\d\S*")
"""A word with a digit in it (a date, a count, an id): what varies between runs of one kind of trigger."""


_BATCHED = re.compile(r"^\d+ requests: ")
"""The re-planner's trigger for several requests planned together (domain/day_plan.batched)."""


def trigger_kind(trigger: str) -> str:
    """A trigger without what varies, so the label has a handful of values: `day plan 2025-03-04` is
    `day plan`, `first-response visit planned` stays as it is, and several requests planned together
    (`3 requests: first-response visit planned (2), ...`) are `batched requests`."""
    if _BATCHED.match(trigger):
        return "batched requests"
    kind = " ".join(_VARIABLE.sub(" ", trigger).split())[:60]
    return kind or "other"


def observe(run: PlanRun, seconds: float) -> None:
    kind = trigger_kind(run.trigger)
    REPLAN_SECONDS.labels(kind).observe(seconds)
    SOLVE_SECONDS.labels(kind).observe(run.solve_seconds)
