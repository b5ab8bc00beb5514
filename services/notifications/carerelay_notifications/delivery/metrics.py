"""Prometheus metrics for messages to people. Labels are channels, audiences and outcomes only:
never an id, an address or a person."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

REQUESTED = Counter("carerelay_notifications_requested_total", "Messages requested", ["audience", "channel"])
ATTEMPTS = Counter(
    "carerelay_notifications_attempts_total",
    "Send attempts by outcome: delivered, retry, failed, cancelled (consent) or held (quiet hours)",
    ["channel", "outcome"],
)
WAITING = Gauge("carerelay_notifications_waiting", "Messages waiting to be sent (retries and quiet hours included)", ["channel"])
DEAD_LETTERS_SEEN = Counter("carerelay_notifications_dead_letters_total", "Dead-lettered messages the hub was told of")
