"""Retries: a message is tried again, with capped exponential backoff and jitter, for as long as its
channel fails transiently (an outage of any length delays it, never fails it); only a permanent refusal
fails it for good."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    cap_seconds: float
    """The longest wait between two tries (15 minutes by default): once a channel is back, a message
    waiting on it goes within this long."""

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1, 2, ...): base * 2^(attempt-1),
        capped, then "equal jitter" (between half and all of it) so that many messages failing
        together during an outage do not all retry at the same instant."""
        doublings = min(max(attempt, 1) - 1, 64)  # no overflow however long the outage
        exponential = min(self.cap_seconds, self.base_seconds * float(2**doublings))
        jitter: float = (rng or random).random()
        return float(exponential / 2 + jitter * exponential / 2)
