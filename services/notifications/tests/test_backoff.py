from __future__ import annotations

import random

from carerelay_notifications.domain.backoff import RetryPolicy


def test_delays_double_within_half_and_all_of_the_step_and_are_capped() -> None:
    policy = RetryPolicy(base_seconds=1.0, cap_seconds=10.0)
    rng = random.Random(7)
    for attempt, step in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (9, 10.0)]:
        for _ in range(50):
            assert step / 2 <= policy.delay(attempt, rng) <= step


def test_jitter_spreads_retries_that_failed_together() -> None:
    policy = RetryPolicy(base_seconds=30.0, cap_seconds=3600.0)
    rng = random.Random(1)
    assert len({round(policy.delay(3, rng), 3) for _ in range(20)}) > 15


def test_an_outage_of_any_length_keeps_the_waits_at_the_cap() -> None:
    policy = RetryPolicy(base_seconds=30.0, cap_seconds=900.0)
    rng = random.Random(3)
    for attempt in (6, 100, 10_000):  # 10,000 tries at 15 minutes: over three months
        assert 450.0 <= policy.delay(attempt, rng) <= 900.0
