"""bench/e2e.py's pure parts: percentiles, the lag-flat judgement, the targets' verdicts and the
table, including refusing figures that cannot be right."""

from __future__ import annotations

import math

import pytest
from e2e_figures import GIB, TARGETS, lag_flat, percentile, render, summary, target_values


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([7.0], 95) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="outside"):
        percentile(values, 101)


def test_a_summary_counts_what_never_arrived_and_refuses_negative_latencies() -> None:
    row = summary([10.0, 20.0, 30.0], sent=4)
    assert (row["sent"], row["arrived"], row["lost"], row["max_ms"]) == (4, 3, 1, 30.0)
    with pytest.raises(ValueError, match="negative"):
        summary([5.0, -1.0], sent=2)
    with pytest.raises(ValueError, match="not a number"):
        summary([math.nan], sent=1)


def test_lag_that_holds_steady_is_flat_and_lag_that_grows_is_not() -> None:
    steady = [(float(t), 5 + (t % 3)) for t in range(30)]
    assert lag_flat(steady, rate=100).flat
    growing = [(float(t), 40 * t) for t in range(30)]
    judged = lag_flat(growing, rate=100)
    assert not judged.flat
    assert judged.slope_per_s == pytest.approx(40)
    high_but_level = [(float(t), 5_000) for t in range(30)]
    assert not lag_flat(high_but_level, rate=100).flat, "a backlog of 50 s of input is not keeping up"
    assert not lag_flat([(0.0, 0), (1.0, 0)], rate=10).flat, "too few samples to judge"
    with pytest.raises(ValueError, match="positive"):
        lag_flat(steady, rate=0)
    with pytest.raises(ValueError, match="negative"):
        lag_flat([(float(t), -1) for t in range(10)], rate=10)


def test_targets_say_pass_or_by_how_much_they_miss() -> None:
    assert TARGETS["post_triaged_p50_at_50"].verdict(12.0) == "PASS"
    assert TARGETS["post_triaged_p50_at_50"].verdict(60.0) == "MISS (3.0x over)"
    assert TARGETS["sustained_rate"].verdict(100) == "MISS (2.0x short)"
    assert TARGETS["sustained_rate"].verdict(250) == "PASS"
    assert TARGETS["idle_rss"].verdict(None).startswith("MISS")
    assert TARGETS["sustained_rate"].verdict(0) == "MISS (none)"


def test_the_table_shows_every_part_and_its_verdicts() -> None:
    results = {
        "mode": "quick",
        "at": "2026-01-01T00:00:00Z",
        "machine": "test",
        "floor": {"50": {"p50_ms": 2.0}},
        "post_triaged": {"50": summary([10.0, 12.0, 90.0], sent=3), "10": summary([8.0], sent=1)},
        "accept_decided": {"1": {**summary([900.0, 1500.0], sent=2), "outcomes": {"visit.assigned": 2}}},
        "sustained": {"1": {"rate": 150, "steps": []}},
        "rss": {"idle": {"kafka": 0.6 * GIB, "postgresql": 0.2 * GIB}, "load": {"kafka": 0.7 * GIB}},
    }
    values = target_values(results)
    assert values["sustained_rate"] == 150
    assert values["idle_rss"] == pytest.approx(0.8 * GIB)
    table = render(results)
    assert table.index("     10 ") < table.index("     50 "), "rates in numeric order"
    assert "MISS (1.3x short)" in table
    assert "whole system" in table
    assert "819 MiB" in table
    assert "     6.0\n" in table, "the p50 at 50/s as a ratio to the floor"
