"""Stalls somebody sees, on each transport with a real PostgreSQL: a consumer whose client dies is
restarted on a fresh client and its events still arrive; a background task that keeps dying makes the
service unhealthy, saying which and why; a consumer stuck on one record, and an outbox relay whose
backlog does not move, are reported within `stalled_after_seconds`, and healthy again once they move;
the lag reporter outlives a partition revoked while it asks for its position."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, cast

import pytest
from prometheus_client import REGISTRY

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_events.consumer import LAG, EventConsumer
from carerelay_events.handlers import Handlers
from carerelay_events.processing import EventProcessor, HandlerContext
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.base import Consumer, Partition, Producer, Transport
from carerelay_service.migrations import migrate
from carerelay_testing.broker import eventually, publish
from carerelay_testing.factories import referral_received

STALLED_AFTER = 1.5

handlers: Handlers[asyncio.Event] = Handlers()


@handlers.on(ReferralReceived)
async def wait_for_the_test(event: ReferralReceived, context: HandlerContext[asyncio.Event]) -> None:
    await context.resources.wait()  # the test decides when a record may finish
    await context.conn.execute("INSERT INTO seen (referral_id) VALUES ($1)", event.referral_id)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class DiesOnce:
    """A transport whose first consumer client fails on its first poll, as a client library bug would."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.topic_prefix = transport.topic_prefix
        self.made = 0

    def producer(self, client_id: str) -> Producer:
        return self.transport.producer(client_id)

    def consumer(self, group_id: str, topics: list[str]) -> Consumer:
        self.made += 1
        client = self.transport.consumer(group_id, topics)
        return _FailingPoll(client) if self.made == 1 else client


class _FailingPoll:
    def __init__(self, client: Consumer) -> None:
        self.client = client
        self.polls = 0

    async def start(self) -> None:
        await self.client.start()

    async def stop(self) -> None:
        await self.client.stop()

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> Mapping[Any, Sequence[Any]]:
        self.polls += 1
        if self.polls == 2:
            raise AssertionError("a bug in the client")
        return await self.client.getmany(timeout_ms=timeout_ms, max_records=max_records)

    async def commit(self, offsets: Mapping[Any, int]) -> None:
        await self.client.commit(offsets)

    def assignment(self) -> set[Any]:
        return self.client.assignment()

    def highwater(self, partition: Any) -> int | None:
        return self.client.highwater(partition)

    async def position(self, partition: Any) -> int:
        return await self.client.position(partition)


async def running(transport: Transport, database_url: str, release: asyncio.Event) -> EventRuntime[asyncio.Event]:
    await migrate(database_url)
    runtime = EventRuntime(
        name="supervision-test",
        database_url=database_url,
        handlers=handlers,
        resources=release,
        transport=transport,
        consumer_settings=ConsumerSettings(max_backoff_seconds=0.5, stalled_after_seconds=STALLED_AFTER),
    )
    await runtime.start()
    async with runtime.pool.acquire() as conn:
        await conn.execute("CREATE TABLE seen (referral_id uuid)")
    return runtime


@pytest.fixture
async def released() -> asyncio.Event:
    release = asyncio.Event()
    release.set()
    return release


async def seen(runtime: EventRuntime[Any]) -> int:
    async with runtime.pool.acquire() as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM seen")
    return count


async def test_a_consumer_whose_client_dies_is_restarted_on_a_new_client_and_its_events_arrive(
    transport: Transport, database_url: str, released: asyncio.Event
) -> None:
    dying = DiesOnce(transport)
    runtime = await running(cast(Transport, dying), database_url, released)
    try:
        restarts = "carerelay_task_restarts_total"
        labels = {"service": "supervision-test", "task": "supervision-test-consumer"}

        async def restarted() -> bool:
            return sample(restarts, **labels) >= 1 and dying.made == 2

        assert await eventually(restarted, within=15, what="the consumer restarted on a new client")
        await publish(transport, ReferralReceived.model_validate(referral_received()))

        async def handled() -> bool:
            return await seen(runtime) == 1

        assert await eventually(handled, within=30, what="the event handled by the restarted consumer")
        assert runtime.health() == []
    finally:
        await runtime.stop()


async def test_a_background_task_that_keeps_dying_makes_the_service_unhealthy_saying_which_and_why(
    transport: Transport, database_url: str, released: asyncio.Event
) -> None:
    runtime = await running(transport, database_url, released)
    lives: list[int] = []

    async def broken(stopping: asyncio.Event) -> None:
        lives.append(len(lives))
        raise ZeroDivisionError

    try:
        runtime.run_in_background("broken", broken)

        async def down() -> list[str]:
            return [reason for reason in runtime.health() if "supervision-test-broken" in reason]

        assert "died (ZeroDivisionError); restarting" in (await eventually(down, what="the task reported down"))[0]

        async def crash_looping() -> list[str]:
            return [reason for reason in runtime.health() if "died 3 times" in reason]

        reasons = await eventually(crash_looping, within=20, what="the crash loop reported")
        assert reasons == ["supervision-test-broken: died 3 times in 5 minutes (last: ZeroDivisionError)"]
        assert len(lives) >= 3
    finally:
        await runtime.stop()


async def test_a_consumer_stuck_on_one_record_is_reported_within_the_stated_time_and_healthy_once_it_moves(
    transport: Transport, database_url: str
) -> None:
    release = asyncio.Event()
    runtime = await running(transport, database_url, release)
    try:
        assert runtime.health() == []
        await publish(transport, ReferralReceived.model_validate(referral_received()))

        async def stalled() -> list[str]:
            return [reason for reason in runtime.health() if "one record in processing for" in reason]

        began = asyncio.get_running_loop().time()
        reasons = await eventually(stalled, within=STALLED_AFTER + 10, what="the stuck consumer reported")
        assert reasons[0].startswith(f"consumer {runtime.consumer_group}: ")
        assert asyncio.get_running_loop().time() - began < STALLED_AFTER + 5
        assert sample("carerelay_worker_busy_seconds", worker=runtime.consumer_group) >= STALLED_AFTER
        release.set()

        async def healthy_again() -> bool:
            return await seen(runtime) == 1 and not [r for r in runtime.health() if r.startswith("consumer ")]

        assert await eventually(healthy_again, within=30, what="the consumer healthy once the record went")
        group = runtime.consumer_group
        assert sample("carerelay_worker_last_progress_timestamp_seconds", worker=group) > 0
        assert sample("carerelay_worker_busy_seconds", worker=group) == 0
    finally:
        release.set()
        await runtime.stop()


async def test_an_outbox_relay_whose_backlog_does_not_move_is_reported_and_healthy_once_it_moves(
    transport: Transport, database_url: str, released: asyncio.Event
) -> None:
    runtime = await running(transport, database_url, released)
    try:
        async with runtime.pool.acquire() as holding:
            open_transaction = holding.transaction()
            await open_transaction.start()
            await runtime.outbox.add(holding, ReferralReceived.model_validate(referral_received()))  # holds seq 1
            async with runtime.pool.acquire() as conn, conn.transaction():
                await runtime.outbox.add(conn, ReferralReceived.model_validate(referral_received()))  # seq 2 waits

            async def stalled() -> list[str]:
                return [reason for reason in runtime.health() if reason.startswith("outbox relay ")]

            reasons = await eventually(stalled, within=STALLED_AFTER + 10, what="the stuck relay reported")
            assert reasons[0].startswith(f"outbox relay {runtime.outbox.source}: no progress for ")
            assert reasons[0].endswith("while 1 wait")
            await open_transaction.commit()

        async def healthy_again() -> bool:
            return runtime.health() == []

        assert await eventually(healthy_again, within=15, what="the relay healthy once its backlog moved")
    finally:
        await runtime.stop()


class _Revoking:
    """A real consumer whose assignment also names a partition it has just lost (a rebalance between
    `assignment()` and `position()`)."""

    def __init__(self, client: Consumer, lost: Partition) -> None:
        self.client = client
        self.lost = lost

    def assignment(self) -> set[Any]:
        return {*self.client.assignment(), self.lost}

    def highwater(self, partition: Any) -> int | None:
        return 5 if partition == self.lost else self.client.highwater(partition)

    async def position(self, partition: Any) -> int:
        return await self.client.position(partition)


@pytest.fixture
async def member(transport: Transport) -> AsyncIterator[Consumer]:
    client = transport.consumer(f"{transport.topic_prefix}revoked", [topic_name(Topic.REFERRAL, transport.topic_prefix)])
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


async def test_the_lag_reporter_outlives_a_partition_revoked_while_it_asks_and_reports_the_rest(
    transport: Transport, member: Consumer
) -> None:
    await publish(transport, ReferralReceived.model_validate(referral_received()))
    topic = topic_name(Topic.REFERRAL, transport.topic_prefix)
    lost = Partition(f"{topic}.elsewhere", 0)
    group = f"{transport.topic_prefix}revoked"
    reporting = EventConsumer(
        cast(Consumer, _Revoking(member, lost)), cast(EventProcessor[None], SimpleNamespace(consumer=group))
    )

    async def assigned() -> bool:
        await member.getmany(timeout_ms=200)
        return bool(member.assignment()) and all(member.highwater(p) is not None for p in member.assignment())

    assert await eventually(assigned, what="partitions assigned and fetched")
    await reporting._report_lag()  # raised (and killed the consumer task) before
    reported = {
        s.labels["partition"]
        for metric in LAG.collect()
        for s in metric.samples
        if s.labels["consumer"] == group and s.labels["topic"] == topic
    }
    assert reported == {str(p.partition) for p in member.assignment()}
    assert not [s for metric in LAG.collect() for s in metric.samples if s.labels["topic"] == lost.topic]
