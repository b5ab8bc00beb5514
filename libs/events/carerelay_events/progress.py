"""Whether a worker (a consumer, the outbox relay, triage's faust agent) is making progress while work
waits for it: what /health reports. Pure bookkeeping, fed by the worker; nothing here does I/O.

A worker is stalled when work is waiting (records behind the end of its partitions, unpublished
outbox rows, or one record it has been processing) and it has not moved (processed a record,
published or set aside a row, or found nothing to do) for `after` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import Gauge

LAST_PROGRESS = Gauge(
    "carerelay_worker_last_progress_timestamp_seconds",
    "When a worker (consumer, outbox relay, faust agent) last made progress or found nothing to do",
    ["worker"],
)
WAITING = Gauge("carerelay_worker_waiting", "Work waiting for a worker (records behind, or unpublished rows)", ["worker"])
BUSY = Gauge(
    "carerelay_worker_busy_seconds",
    "How long the record a worker is processing has been in processing (0 when it is processing none)",
    ["worker"],
)


class Progress:
    """One worker's progress. `clock` is wall time (`time.time`), replaceable in tests."""

    def __init__(self, worker: str, what: str, clock: Callable[[], float] = time.time) -> None:
        self.worker = worker
        """A metric label: the consumer group or outbox source (never anything of a message)."""
        self.what = what
        """How /health names it, e.g. "consumer" or "outbox relay"."""
        self.clock = clock
        self.moved_at = clock()
        self.waiting = 0
        self.busy_since: float | None = None
        self._set_gauges()
        BUSY.labels(worker).set_function(self.busy_seconds)

    def moved(self) -> None:
        """It did a piece of work."""
        self.moved_at = self.clock()
        LAST_PROGRESS.labels(self.worker).set(self.moved_at)

    def waits(self, count: int) -> None:
        """`count` items are waiting for it (0: it has caught up, which counts as progress)."""
        self.waiting = max(0, count)
        WAITING.labels(self.worker).set(self.waiting)
        if self.waiting == 0:
            self.moved()

    def started(self) -> None:
        """It began one item (a record), which is work waiting until it finishes."""
        self.busy_since = self.clock()

    def finished(self) -> None:
        self.busy_since = None
        self.moved()

    def busy_seconds(self) -> float:
        """How long the record in processing has been (0 when none is)."""
        return 0.0 if self.busy_since is None else max(0.0, self.clock() - self.busy_since)

    def stalled(self, after: float) -> str | None:
        """Why it is stalled, or None when it is not."""
        now = self.clock()
        if self.busy_since is not None:
            busy = now - self.busy_since
            return f"{self.what} {self.worker}: one record in processing for {busy:.0f} s" if busy >= after else None
        quiet = now - self.moved_at
        if self.waiting == 0 or quiet < after:
            return None
        return f"{self.what} {self.worker}: no progress for {quiet:.0f} s while {self.waiting} wait"

    def _set_gauges(self) -> None:
        LAST_PROGRESS.labels(self.worker).set(self.moved_at)
        WAITING.labels(self.worker).set(self.waiting)
