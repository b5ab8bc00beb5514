from __future__ import annotations

import random

from carerelay_notifications.domain.backoff import RetryPolicy


def test_delays_double_within_half_and_all_of_the_step_and_are_capped() -> None:
    policy = RetryPolicy(max_attempts=8, base_seconds=1.0, cap_seconds=10.0)
    rng = random.Random(7)
    for attempt, step in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (9, 10.0)]:
        for _ in range(50):
            assert step / 2 <= policy.delay(attempt, rng) <= step


def test_jitter_spreads_retries_that_failed_together() -> None:
    policy = RetryPolicy(max_attempts=8, base_seconds=30.0, cap_seconds=3600.0)
    rng = random.Random(1)
    assert len({round(policy.delay(3, rng), 3) for _ in range(20)}) > 15


def test_retries_stop_at_the_maximum_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1.0, cap_seconds=10.0)
    assert policy.will_retry(1)
    assert policy.will_retry(2)
    assert not policy.will_retry(3)
