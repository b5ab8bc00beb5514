"""The consuming loop, on any transport: poll, process each record in partition order, then commit
its offset.

Offsets are committed only after EventProcessor.process returns (handled, duplicate, skipped or
dead-lettered), so a crash redelivers, and the inbox makes the redelivery harmless. Liveness and lag
are exported as metrics so a stalled consumer is visible rather than assumed away.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import structlog
from aiokafka.errors import CommitFailedError, KafkaError
from prometheus_client import Gauge

from .processing import EventProcessor
from .transport.base import CommitFailed, Consumer, InboundRecord

log = structlog.get_logger(__name__)

LAST_POLL = Gauge("carerelay_consumer_last_poll_timestamp_seconds", "When the consumer last polled", ["consumer"])
LAG = Gauge("carerelay_consumer_lag", "Messages behind the end of the partition", ["consumer", "topic", "partition"])


class EventConsumer:
    """Feeds `consumer`'s records to `processor` until stopped, committing after each partition's batch."""

    def __init__(self, consumer: Consumer, processor: EventProcessor[Any]) -> None:
        self.consumer = consumer
        self.processor = processor
        self.last_poll_at: float = 0.0
        self._reported: set[tuple[str, str]] = set()

    async def run(self, stopping: asyncio.Event, started: asyncio.Event | None = None) -> None:
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
        for partition in self.consumer.assignment():
            held.add((partition.topic, str(partition.partition)))
            end = self.consumer.highwater(partition)
            if end is None:
                continue
            position = await self.consumer.position(partition)
            LAG.labels(self.processor.consumer, partition.topic, str(partition.partition)).set(max(0, end - position))
        for gone in self._reported - held:
            with contextlib.suppress(KeyError):
                LAG.remove(self.processor.consumer, *gone)
        self._reported = held
