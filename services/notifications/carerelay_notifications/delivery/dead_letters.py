"""The hub is told of every dead-lettered message (an integration message or event that could never be
processed), by reading `carerelay.dead-letter.v1` read-only with a consumer group of its own.

It never writes to the dead-letter topic: a record it cannot handle is logged and skipped, and an
outage is retried (the offset is committed only after the hub's message is stored), so nothing it
does can loop back into the topic it reads."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer

from carerelay_contract.topics import Topic, topic_name
from carerelay_events.outbox import Outbox
from carerelay_events.processing import INFRASTRUCTURE_ERRORS
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import create_consumer

from .messages import NO_EPISODE, Requester
from .metrics import DEAD_LETTERS_SEEN
from .settings import NotificationsSettings
from .triggers import alert_hub

log = structlog.get_logger(__name__)


def episode_of(key: bytes | None) -> UUID:
    try:
        return UUID((key or b"").decode())
    except ValueError:
        return NO_EPISODE


class DeadLetterWatch:
    def __init__(self, kafka: KafkaSettings, settings: NotificationsSettings, outbox: Outbox, group: str) -> None:
        self.kafka = kafka
        self.settings = settings
        self.outbox = outbox
        self.group = group
        self.topic = topic_name(Topic.DEAD_LETTER, kafka.topic_prefix)

    async def run(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            consumer = create_consumer(self.kafka, self.group, [self.topic])
            try:
                await consumer.start()
                await self._consume(consumer, pool, stopping)
            except INFRASTRUCTURE_ERRORS as outage:
                failures += 1
                log.warning("dead-letter watch: unavailable; retrying", error=type(outage).__name__)
                await asyncio.sleep(min(0.5 * 2**failures, 30.0))
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def _consume(self, consumer: AIOKafkaConsumer, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            batches = await consumer.getmany(timeout_ms=300, max_records=100)
            for partition, records in batches.items():
                for record in records:
                    await self.tell_the_hub(pool, record.topic, record.partition, record.offset, record.key, list(record.headers))
                await consumer.commit({partition: records[-1].offset + 1})

    async def tell_the_hub(
        self, pool: asyncpg.Pool, topic: str, partition: int, offset: int, key: bytes | None, raw_headers: list[tuple[str, bytes]]
    ) -> None:
        headers = {name: value.decode(errors="replace") for name, value in raw_headers}
        reason = headers.get("carerelay_dlq_reason", "no reason given")[:300]
        original = headers.get("carerelay_dlq_original_topic", "an unknown topic")
        consumer = headers.get("carerelay_dlq_consumer", "a consumer")
        body = f"A message on {original} could not be processed by {consumer} and was set aside: {reason}."
        try:
            async with pool.acquire() as conn, conn.transaction():
                tell = Requester(
                    conn,
                    self.outbox,
                    f"dead-letter:{topic}:{partition}:{offset}",
                    headers.get("carerelay_correlationid"),
                    self.settings,
                    datetime.now(UTC),
                )
                await alert_hub(tell, episode_of(key), "dead-letter", body, urgent=False, team=None)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as error:  # never dead-letter a dead letter: say so and move on
            log.error("dead-letter watch: could not tell the hub", error=type(error).__name__, offset=offset)
            return
        DEAD_LETTERS_SEEN.inc()
