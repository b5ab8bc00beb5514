"""Re-plan time as the operator reads it: histograms labelled by the kind of trigger, never by what
varies between runs (a day, a count, an id)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from prometheus_client import REGISTRY

from carerelay_scheduling.domain.day_plan import PlanRun
from carerelay_scheduling.planning.run_metrics import observe, trigger_kind


def test_a_trigger_kind_keeps_the_words_and_drops_what_varies() -> None:
    assert trigger_kind("day plan 2025-03-04") == "day plan"
    assert trigger_kind("first-response visit planned") == "first-response visit planned"
    assert trigger_kind("tick") == "tick"
    assert trigger_kind("3 requests: first-response visit planned (2), assessment visit planned") == "batched requests"
    assert trigger_kind(f"batch of 12 referrals {uuid4()}") == "batch of referrals"
    assert trigger_kind("2025-03-04") == "other"
    assert len(trigger_kind("visit " * 40)) <= 60


def test_a_run_is_observed_whole_and_solved_under_its_kind() -> None:
    now = datetime.now(UTC)
    run = PlanRun(uuid4(), "day plan 2031-01-02", (now, now + timedelta(hours=8)), 10, 9, 1, 3, solve_seconds=0.8)
    labels = {"trigger": "day plan"}
    before = REGISTRY.get_sample_value("carerelay_replan_seconds_count", labels) or 0.0
    below_one = REGISTRY.get_sample_value("carerelay_planner_solve_seconds_bucket", {**labels, "le": "1.0"}) or 0.0

    observe(run, 1.2)

    assert REGISTRY.get_sample_value("carerelay_replan_seconds_count", labels) == before + 1
    assert REGISTRY.get_sample_value("carerelay_planner_solve_seconds_bucket", {**labels, "le": "1.0"}) == below_one + 1
    names = {sample.labels.get("trigger") for metric in REGISTRY.collect() for sample in metric.samples}
    assert "day plan 2031-01-02" not in names
