"""The consuming loop, on any transport: poll, process each record in partition order, then commit
its offset.

Offsets are committed only after EventProcessor.process returns (handled, duplicate, skipped or
dead-lettered), so a crash redelivers, and the inbox makes the redelivery harmless. Liveness, lag and
progress are exported as metrics, and `progress` feeds /health, so a stalled consumer is visible
rather than assumed away.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import structlog
from aiokafka.errors import CommitFailedError, KafkaError
from prometheus_client import Gauge

from .processing import EventProcessor
from .progress import Progress
from .transport.base import CommitFailed, Consumer, InboundRecord

log = structlog.get_logger(__name__)

LAST_POLL = Gauge("carerelay_consumer_last_poll_timestamp_seconds", "When the consumer last polled", ["consumer"])
LAG = Gauge("carerelay_consumer_lag", "Messages behind the end of the partition", ["consumer", "topic", "partition"])


class EventConsumer:
    """Feeds `consumer`'s records to `processor` until stopped, committing after each partition's batch.
    `renew` makes a fresh client when `run` is called again (a client cannot be restarted once stopped)."""

    def __init__(self, consumer: Consumer, processor: EventProcessor[Any], renew: Callable[[], Consumer] | None = None) -> None:
        self.consumer = consumer
        self.processor = processor
        self.renew = renew
        self.last_poll_at: float = 0.0
        self.progress = Progress(processor.consumer, "consumer")
        self._reported: set[tuple[str, str]] = set()
        self._runs = 0

    async def run(self, stopping: asyncio.Event, started: asyncio.Event | None = None) -> None:
        if self._runs and self.renew is not None:
            self.consumer = self.renew()
        self._runs += 1
        consumer = self.consumer
        await consumer.start()
        if started is not None:
            started.set()
        try:
            while not stopping.is_set():
                batches = await consumer.getmany(timeout_ms=300, max_records=200)
                self.last_poll_at = time.time()
                LAST_POLL.labels(self.processor.consumer).set(self.last_poll_at)
                for partition, records in batches.items():
                    for record in records:
                        self.progress.started()
                        await self.processor.process(
                            InboundRecord(
                                topic=record.topic,
                                partition=record.partition,
                                offset=record.offset,
                                key=record.key,
                                value=record.value,
                                headers=tuple(record.headers),
                            )
                        )
                        self.progress.finished()
                    # Commit only after every record of the batch has been processed.
                    await self._commit(partition, records[-1].offset + 1)
                await self._report_lag()
        finally:
            await consumer.stop()

    async def _commit(self, partition: Any, next_offset: int) -> None:
        try:
            await self.consumer.commit({partition: next_offset})
        except (CommitFailed, CommitFailedError, KafkaError) as error:
            # The partition moved to another member during a rebalance: it will redeliver, and the inbox dedupes.
            log.warning("offset commit failed", consumer=self.processor.consumer, error=type(error).__name__)

    async def _report_lag(self) -> None:
        """Set the lag of each partition this member holds, and drop the series of those it no longer holds
        (a rebalance gave them to another instance, which reports them): a stale value would hold an
        autoscaler up, or hide a stall."""
        held: set[tuple[str, str]] = set()
        behind = 0
        for partition in self.consumer.assignment():
            try:
                end = self.consumer.highwater(partition)
                position = await self.consumer.position(partition) if end is not None else None
            except Exception as error:  # revoked while we asked (a rebalance): its new holder reports it
                log.debug("partition lag not reported", consumer=self.processor.consumer, error=type(error).__name__)
                continue
            held.add((partition.topic, str(partition.partition)))
            if end is None or position is None:
                continue
            behind += max(0, end - position)
            LAG.labels(self.processor.consumer, partition.topic, str(partition.partition)).set(max(0, end - position))
        self.progress.waits(behind)
        for gone in self._reported - held:
            with contextlib.suppress(KeyError):
                LAG.remove(self.processor.consumer, *gone)
        self._reported = held
