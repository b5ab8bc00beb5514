"""A service's event runtime, written once: its database pool, producer, outbox relay and consumer.

    runtime = EventRuntime(name="scheduling", database_url=..., handlers=handlers, resources=settings,
                           transport=KafkaTransport(settings.kafka))
    await runtime.start(); ...; await runtime.stop()

The consumer reads the topics of the types `handlers` handles. The transport is the real Kafka in
every service and the in-memory broker in handler tests. A service whose records arrive another way
(triage runs on faust-streaming) uses `start(consume=False)` and hands them to `runtime.processor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

import asyncpg

from carerelay_contract.topics import topic_name

from .consumer import EventConsumer
from .dead_letters import DeadLetters
from .handlers import Handlers
from .outbox import Outbox, OutboxRelay
from .processing import EventProcessor
from .settings import ConsumerSettings
from .transport.base import Producer, Transport

R = TypeVar("R")


class EventRuntime(Generic[R]):
    def __init__(
        self,
        *,
        name: str,
        database_url: str,
        handlers: Handlers[R],
        resources: R,
        transport: Transport,
        consumer_settings: ConsumerSettings,
        relay_enabled: bool = True,
        pool_size: int = 10,
    ) -> None:
        self.name = name
        self.database_url = database_url
        self.transport = transport
        self.handlers = handlers
        self.resources = resources
        self.consumer_settings = consumer_settings
        self.relay_enabled = relay_enabled
        self.pool_size = pool_size
        self.outbox = Outbox(source=f"/carerelay/{name}", topic_prefix=transport.topic_prefix)
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._pool: asyncpg.Pool | None = None
        self._producer: Producer | None = None
        self._processor: EventProcessor[R] | None = None
        self.consumer: EventConsumer | None = None

    @property
    def topic_prefix(self) -> str:
        return self.transport.topic_prefix

    @property
    def consumer_group(self) -> str:
        """The Kafka consumer group (and inbox consumer name): one per service and topic prefix, so
        environments sharing a cluster never share a group."""
        return f"{self.topic_prefix}carerelay-{self.name}"

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("EventRuntime.start() has not been awaited")
        return self._pool

    @property
    def processor(self) -> EventProcessor[R]:
        if self._processor is None:
            raise RuntimeError("EventRuntime.start() has not been awaited")
        return self._processor

    async def start(self, *, consume: bool = True) -> None:
        """Connect, start the relay and (unless `consume` is false) the consumer; return when consuming."""
        self._pool = await asyncpg.create_pool(
            self.database_url, min_size=1, max_size=self.pool_size, reset=release_without_a_round_trip
        )
        self._producer = self.transport.producer(client_id=self.consumer_group)
        await self._producer.start()
        self._processor = EventProcessor(
            consumer=self.consumer_group,
            pool=self._pool,
            outbox=self.outbox,
            handlers=self.handlers,
            resources=self.resources,
            dead_letters=DeadLetters(self._producer, self.consumer_group, self.topic_prefix),
            settings=self.consumer_settings,
        )
        if self.relay_enabled:
            relay = OutboxRelay(self._pool, self._producer, self.outbox.source)
            self._tasks.append(asyncio.create_task(relay.run(self._stopping), name=f"{self.name}-outbox-relay"))
        if consume and self.handlers.types:
            started = asyncio.Event()
            topics = [topic_name(topic, self.topic_prefix) for topic in self.handlers.topics]
            self.consumer = EventConsumer(self.transport.consumer(self.consumer_group, topics), self._processor)
            self._tasks.append(asyncio.create_task(self.consumer.run(self._stopping, started), name=f"{self.name}-consumer"))
            await started.wait()

    def run_in_background(self, name: str, work: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
        """Start a service's own long-running task (e.g. a planner tick or a delivery worker). It is
        given the stopping event, counted in `healthy()` (a task that dies makes the service unhealthy)
        and awaited on stop."""
        self._tasks.append(asyncio.create_task(work(self._stopping), name=f"{self.name}-{name}"))

    def healthy(self, stalled_after_seconds: float = 60.0) -> bool:
        """False when a background task has died or the consumer has stopped polling (a stall):
        the service should be restarted, not trusted."""
        if any(task.done() for task in self._tasks):
            return False
        if self.consumer is not None and self.consumer.last_poll_at:
            return time.time() - self.consumer.last_poll_at < stalled_after_seconds
        return True

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            if not task.done():
                task.cancel()
        if self._producer is not None:
            await self._producer.stop()
        if self._pool is not None:
            await self._pool.close()


async def release_without_a_round_trip(conn: asyncpg.Connection) -> None:
    """What a connection going back to the pool needs here: an open transaction (a caller cancelled in the
    middle of one) rolled back, and nothing else. asyncpg's default reset sends `pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL` on every release, a round trip each time; this code takes advisory
    locks only per transaction, keeps no cursors or session settings, and every LISTEN (carerelay_events.bell,
    the outbox relay) is removed by its owner before its connection is released."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
