"""The aiokafka transport: poll, process each record in partition order, then commit its offset.

Offsets are committed only after EventProcessor.process returns (handled, duplicate, skipped or
dead-lettered), so a crash redelivers, and the inbox makes the redelivery harmless. Liveness and lag
are exported as metrics so a stalled consumer is visible rather than assumed away.
"""

from __future__ import annotations

import asyncio
import time

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from prometheus_client import Gauge

from .kafka_clients import create_consumer
from .processing import EventProcessor, InboundRecord
from .settings import KafkaSettings

log = structlog.get_logger(__name__)

LAST_POLL = Gauge("carerelay_consumer_last_poll_timestamp_seconds", "When the consumer last polled", ["consumer"])
LAG = Gauge("carerelay_consumer_lag", "Messages behind the end of the partition", ["consumer", "topic", "partition"])


class KafkaEventConsumer:
    """Consumes `topics` as consumer group `processor.consumer` until stopped."""

    def __init__(self, settings: KafkaSettings, topics: list[str], processor: EventProcessor) -> None:
        self.settings = settings
        self.topics = topics
        self.processor = processor
        self.last_poll_at: float = 0.0
        self._consumer: AIOKafkaConsumer | None = None

    async def run(self, stopping: asyncio.Event, started: asyncio.Event | None = None) -> None:
        consumer = create_consumer(self.settings, self.processor.consumer, self.topics)
        self._consumer = consumer
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
                    await self._commit(consumer, partition, records[-1].offset + 1)
                await self._report_lag(consumer)
        finally:
            await consumer.stop()

    async def _commit(self, consumer: AIOKafkaConsumer, partition: TopicPartition, next_offset: int) -> None:
        try:
            await consumer.commit({partition: next_offset})
        except (CommitFailedError, KafkaError) as error:
            # The partition moved to another member during a rebalance: it will redeliver, and the inbox dedupes.
            log.warning("offset commit failed", consumer=self.processor.consumer, error=type(error).__name__)

    async def _report_lag(self, consumer: AIOKafkaConsumer) -> None:
        for partition in consumer.assignment():
            end = consumer.highwater(partition)
            if end is None:
                continue
            position = await consumer.position(partition)
            LAG.labels(self.processor.consumer, partition.topic, str(partition.partition)).set(max(0, end - position))
