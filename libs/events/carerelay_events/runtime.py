"""A service's event runtime, written once: its database pool, producer, outbox relay and consumer.

    runtime = EventRuntime(name="scheduling", database_url=..., handlers=handlers, resources=settings,
                           transport=KafkaTransport(settings.kafka))
    await runtime.start(); ...; await runtime.stop()

The consumer reads the topics of the types `handlers` handles. The transport is the real Kafka in
every service and the in-memory broker in handler tests. A service whose records arrive another way
(triage runs on faust-streaming) uses `start(consume=False)` and hands them to `runtime.processor`
(and its worker's `Progress` to `runtime.watch`).

Supervision: the relay, the consumer and every task given to `run_in_background` are restarted when
they die (after 1 s, doubling to 30 s), each restart logged and counted
(`carerelay_task_restarts_total`): one crash (a race in a client library, a bug hit by one message)
should not take the whole process down, and a restart costs nothing here. `health()` says why the
service is unhealthy: a task down and waiting for its restart, a task that died `CRASH_LOOP_DEATHS`
times within `CRASH_LOOP_SECONDS` (restarting in process is not helping: the orchestrator should
replace the process), the consumer not polling, or a worker (consumer, relay, faust agent) making no
progress for `stalled_after_seconds` while work waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
import structlog
from prometheus_client import Counter

from carerelay_contract.topics import topic_name

from .consumer import EventConsumer
from .dead_letters import DeadLetters
from .handlers import Handlers
from .outbox import Outbox, OutboxRelay
from .processing import EventProcessor
from .progress import Progress
from .settings import ConsumerSettings
from .transport.base import Producer, Transport

R = TypeVar("R")

log = structlog.get_logger(__name__)

RESTARTS = Counter("carerelay_task_restarts_total", "Background tasks restarted after they died", ["service", "task"])
CRASH_LOOP_DEATHS = 3
CRASH_LOOP_SECONDS = 300.0
FIRST_RESTART_SECONDS = 1.0
LAST_RESTART_SECONDS = 30.0

Work = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class Supervised:
    """One long-running task of the service and its deaths."""

    name: str
    work: Work
    deaths: list[float] = field(default_factory=list)
    last_error: str = ""
    down: bool = False

    def died(self, error: BaseException) -> None:
        now = time.monotonic()
        self.deaths = [at for at in self.deaths if now - at < CRASH_LOOP_SECONDS] + [now]
        self.last_error = type(error).__name__
        self.down = True

    def trouble(self) -> str | None:
        now = time.monotonic()
        recent = [at for at in self.deaths if now - at < CRASH_LOOP_SECONDS]
        if len(recent) >= CRASH_LOOP_DEATHS:
            return f"{self.name}: died {len(recent)} times in {CRASH_LOOP_SECONDS / 60:.0f} minutes (last: {self.last_error})"
        if self.down:
            return f"{self.name}: died ({self.last_error}); restarting"
        return None


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
        self._supervised: list[Supervised] = []
        self._watched: list[Progress] = []
        self.relay: OutboxRelay | None = None
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
            self.relay = OutboxRelay(self._pool, self._producer, self.outbox.source)
            self.watch(self.relay.progress)
            self.run_in_background("outbox-relay", self.relay.run)
        if consume and self.handlers.types:
            started = asyncio.Event()
            topics = [topic_name(topic, self.topic_prefix) for topic in self.handlers.topics]
            self.consumer = EventConsumer(
                self.transport.consumer(self.consumer_group, topics),
                self._processor,
                renew=lambda: self.transport.consumer(self.consumer_group, topics),
            )
            self.watch(self.consumer.progress)
            consumer = self.consumer
            self.run_in_background("consumer", lambda stopping: consumer.run(stopping, started))
            await started.wait()

    def run_in_background(self, name: str, work: Work) -> None:
        """Start a long-running task of the service (the relay, the consumer, a planner tick, a delivery
        worker), restarted when it dies (see the module's docstring), counted in `health()`, and awaited
        on stop. It is given the stopping event and should return only once that is set."""
        supervised = Supervised(f"{self.name}-{name}", work)
        self._supervised.append(supervised)
        self._tasks.append(asyncio.create_task(self._keep_running(supervised), name=supervised.name))

    def watch(self, progress: Progress) -> None:
        """Count `progress` in `health()`: a worker the runtime did not start (triage's faust agent)."""
        self._watched.append(progress)

    async def _keep_running(self, supervised: Supervised) -> None:
        pause = FIRST_RESTART_SECONDS
        while not self._stopping.is_set():
            began = time.monotonic()
            try:
                await supervised.work(self._stopping)
                if self._stopping.is_set():
                    return
                raise RuntimeError("returned while the service was running")
            except asyncio.CancelledError:
                raise
            except Exception as error:
                supervised.died(error)
                RESTARTS.labels(self.name, supervised.name).inc()
                log.exception("background task died; restarting it", task=supervised.name, in_seconds=pause)
            if time.monotonic() - began > CRASH_LOOP_SECONDS:
                pause = FIRST_RESTART_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)
            pause = min(pause * 2, LAST_RESTART_SECONDS)
            supervised.down = False

    def health(self) -> list[str]:
        """Why the service should not be trusted (restarted, taken out of rotation), or [] when healthy:
        a task down or crash-looping, the consumer not polling, or a worker making no progress for
        `stalled_after_seconds` while work waits for it."""
        after = self.consumer_settings.stalled_after_seconds
        reasons = [trouble for supervised in self._supervised if (trouble := supervised.trouble())]
        if self.consumer is not None and self.consumer.last_poll_at:
            quiet = time.time() - self.consumer.last_poll_at
            if quiet >= after:
                reasons.append(f"consumer {self.consumer_group}: not polled for {quiet:.0f} s")
        reasons += [stalled for progress in self._watched if (stalled := progress.stalled(after))]
        return reasons

    def healthy(self) -> bool:
        return not self.health()

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
