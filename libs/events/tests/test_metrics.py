"""What an operator reads on /metrics from the event plumbing, on each transport (the in-memory broker
and the real Kafka) with a real PostgreSQL: dead letters counted by consumer and original topic, the
outbox backlog counted (also while nothing relays it), consumer lag per topic and partition, and no
label carrying anything of the message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import cast

import pytest
from prometheus_client import REGISTRY, generate_latest

from carerelay_contract.envelope import encode_headers, new_metadata
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_events.consumer import EventConsumer
from carerelay_events.handlers import Handlers
from carerelay_events.outbox import OutboxRelay
from carerelay_events.processing import EventProcessor, HandlerContext
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.base import Consumer, Partition, Transport
from carerelay_service.migrations import migrate
from carerelay_testing.broker import eventually, publish, read, send
from carerelay_testing.factories import referral_received

handlers: Handlers[None] = Handlers()


@handlers.on(ReferralReceived)
async def note_it(event: ReferralReceived, context: HandlerContext[None]) -> None:
    return None


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def started(transport: Transport, database_url: str, name: str, relay: bool) -> EventRuntime[None]:
    await migrate(database_url)
    runtime = EventRuntime(
        name=name,
        database_url=database_url,
        handlers=handlers,
        resources=None,
        transport=transport,
        consumer_settings=ConsumerSettings(max_backoff_seconds=0.5),
        relay_enabled=relay,
    )
    await runtime.start()
    return runtime


@pytest.fixture
async def runtime(transport: Transport, database_url: str) -> AsyncIterator[EventRuntime[None]]:
    running = await started(transport, database_url, "metrics-test", relay=True)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def unrelayed(transport: Transport, database_url: str) -> AsyncIterator[EventRuntime[None]]:
    running = await started(transport, database_url, "backlog-test", relay=False)
    try:
        yield running
    finally:
        await running.stop()


async def test_a_dead_letter_is_counted_by_consumer_and_original_topic_with_nothing_of_the_message(
    runtime: EventRuntime[None], transport: Transport
) -> None:
    good = ReferralReceived.model_validate(referral_received())
    referral_topic = topic_name(Topic.REFERRAL, transport.topic_prefix)
    labels = {"consumer": runtime.consumer_group, "topic": referral_topic}
    before = sample("carerelay_dead_letters_total", **labels)
    broken = encode_headers(new_metadata(good, "/tests", event_id="broken-1"), {})
    await send(transport, Topic.REFERRAL, b'{"nhs_number": "9434765919"', good.partition_key().encode(), broken)
    await read(transport, Topic.DEAD_LETTER, want=1)

    async def counted() -> bool:
        return sample("carerelay_dead_letters_total", **labels) == before + 1

    assert await eventually(counted, what="the dead letter to be counted")
    exposed = generate_latest().decode()
    for private in ("9434765919", str(good.episode_id), "broken-1"):
        assert private not in exposed


async def test_consumer_lag_is_reported_per_topic_and_partition_and_falls_to_zero(
    runtime: EventRuntime[None], transport: Transport
) -> None:
    event = ReferralReceived.model_validate(referral_received())
    await publish(transport, event, event_id="lagging-1")

    referral_topic = topic_name(Topic.REFERRAL, transport.topic_prefix)

    def lags() -> list[tuple[str, float]]:
        return [
            (metric_sample.labels["partition"], metric_sample.value)
            for metric in REGISTRY.collect()
            if metric.name == "carerelay_consumer_lag"
            for metric_sample in metric.samples
            if metric_sample.labels["consumer"] == runtime.consumer_group and metric_sample.labels["topic"] == referral_topic
        ]

    async def caught_up() -> bool:
        async with runtime.pool.acquire() as conn:
            handled = await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = 'lagging-1'")
        return bool(handled) and bool(lags()) and all(value == 0 for _, value in lags())

    assert await eventually(caught_up, what="the event handled and the lag reported as 0")
    assert all(partition.isdigit() for partition, _ in lags())


async def test_the_outbox_backlog_is_what_is_written_and_not_yet_relayed(
    unrelayed: EventRuntime[None], transport: Transport
) -> None:
    source = unrelayed.outbox.source
    async with unrelayed.pool.acquire() as conn, conn.transaction():
        for _ in range(3):
            await unrelayed.outbox.add(conn, ReferralReceived.model_validate(referral_received()))
    relay = OutboxRelay(unrelayed.pool, transport.producer(client_id="backlog-relay"), source)
    await relay.producer.start()
    try:
        assert await relay.publish_pending() == 3
        assert sample("carerelay_outbox_unpublished", source=source) == 3, "counted before the batch went"
        assert await relay.publish_pending() == 0
        assert sample("carerelay_outbox_unpublished", source=source) == 0
    finally:
        await relay.producer.stop()


class _Holding:
    """Only what lag reporting reads of a consumer: the partitions held, their ends and positions."""

    def __init__(self, held: set[Partition]) -> None:
        self.held = held

    def assignment(self) -> set[Partition]:
        return set(self.held)

    def highwater(self, partition: Partition) -> int:
        return 10

    async def position(self, partition: Partition) -> int:
        return 4


async def test_the_lag_of_a_partition_given_to_another_instance_is_no_longer_reported_here() -> None:
    group, topic = "lag-rebalance-test", "t.lag-rebalance"
    first, second = Partition(topic, 0), Partition(topic, 1)
    holding = _Holding({first, second})
    member = EventConsumer(cast(Consumer, holding), cast(EventProcessor[None], SimpleNamespace(consumer=group)))

    def reported() -> dict[str, float]:
        return {
            s.labels["partition"]: s.value
            for metric in REGISTRY.collect()
            if metric.name == "carerelay_consumer_lag"
            for s in metric.samples
            if s.labels["consumer"] == group
        }

    await member._report_lag()
    assert reported() == {"0": 6.0, "1": 6.0}
    holding.held = {second}  # a rebalance gave partition 0 to another instance
    await member._report_lag()
    assert reported() == {"1": 6.0}
