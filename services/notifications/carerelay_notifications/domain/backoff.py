"""Retries: exponential backoff with jitter, up to a maximum number of attempts."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    cap_seconds: float

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1, 2, ...): base * 2^(attempt-1),
        capped, then "equal jitter" (between half and all of it) so that many messages failing
        together during an outage do not all retry at the same instant."""
        exponential = min(self.cap_seconds, self.base_seconds * float(2 ** (max(attempt, 1) - 1)))
        jitter: float = (rng or random).random()
        return float(exponential / 2 + jitter * exponential / 2)

    def will_retry(self, attempt: int) -> bool:
        """Whether another attempt follows failed attempt number `attempt`."""
        return attempt < self.max_attempts
