"""The outbox relay on each transport (the in-memory broker and the real Kafka) with a real PostgreSQL:
a row Kafka will never accept is set aside with its reason and the rows after it flow; an error worth
retrying is retried; the backlog gauges say how many rows wait and for how long; and an episode's
events leave in `seq` order even when a transaction holding a lower `seq` commits after a later one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY

from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_events.outbox import Outbox, OutboxRelay, RelayDeferred
from carerelay_events.transport.base import Producer, Transport
from carerelay_service.migrations import migrate
from carerelay_stack.settings import StackSettings
from carerelay_testing.broker import eventually, read_events
from carerelay_testing.factories import referral_received


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Relaying:
    """A database with the event plumbing, its outbox, and a relay on the transport (not running)."""

    def __init__(self, pool: asyncpg.Pool, transport: Transport, source: str, producer: Producer | None = None) -> None:
        self.pool = pool
        self.source = source
        self.outbox = Outbox(source, topic_prefix=transport.topic_prefix)
        self.relay = OutboxRelay(pool, producer or transport.producer(client_id="relay-test"), source)

    async def add(self, event: ReferralReceived, event_id: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.outbox.add(conn, event, event_id=event_id)

    async def row(self, event_id: str) -> asyncpg.Record:
        async with self.pool.acquire() as conn:
            found = await conn.fetchrow("SELECT * FROM event_outbox WHERE event_id = $1", event_id)
        assert found is not None
        return found


@pytest.fixture
async def relaying(transport: Transport, database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Relaying]:
    await migrate(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=6)
    assert pool is not None
    setup = Relaying(pool, transport, f"/tests/{request.node.name[:40]}")
    await setup.relay.producer.start()
    try:
        yield setup
    finally:
        await setup.relay.producer.stop()
        await pool.close()


def referral() -> ReferralReceived:
    return ReferralReceived.model_validate(referral_received())


async def test_a_row_with_a_topic_kafka_will_never_accept_is_set_aside_and_the_rows_after_it_flow(
    relaying: Relaying, transport: Transport
) -> None:
    event = referral()
    await relaying.add(event, "before-1")
    async with relaying.pool.acquire() as conn:
        await conn.execute(
            """
            INSERT INTO event_outbox (event_id, topic, record_key, headers, payload)
            VALUES ('poison-1', 'no such topic!', $1, '[]', 'x')
            """,
            str(event.episode_id),
        )
    await relaying.add(event, "after-1")
    before = sample("carerelay_outbox_set_aside_total", source=relaying.source, error="InvalidTopicName")

    async def all_settled() -> bool:
        await relaying.relay.publish_pending()
        return all([(await relaying.row(name))["published_at"] is not None for name in ("before-1", "after-1")])

    assert await eventually(all_settled, within=20, what="the rows around the poison one published")
    poison = await relaying.row("poison-1")
    assert poison["published_at"] is None
    assert poison["failed_at"] is not None
    assert poison["failure"].startswith("InvalidTopicName")
    assert sample("carerelay_outbox_set_aside_total", source=relaying.source, error="InvalidTopicName") == before + 1
    received = await read_events(transport, Topic.REFERRAL, want=2, key=str(event.episode_id))
    assert [envelope.metadata.id for envelope in received] == ["before-1", "after-1"]

    await relaying.relay.publish_pending()  # nothing left: the gauges say so at once
    assert sample("carerelay_outbox_unpublished", source=relaying.source) == 0
    assert sample("carerelay_outbox_set_aside_rows", source=relaying.source) == 1


async def test_a_record_larger_than_kafka_takes_is_set_aside_and_the_next_one_goes(
    relaying: Relaying, transport: Transport
) -> None:
    event = referral()
    async with relaying.pool.acquire() as conn:
        await conn.execute(
            """
            INSERT INTO event_outbox (event_id, topic, record_key, headers, payload)
            SELECT 'huge-1', topic, record_key, headers, convert_to(repeat('x', 2 * 1024 * 1024), 'UTF8')
            FROM (VALUES ($1::text, $2::text, '[]'::jsonb)) AS template (topic, record_key, headers)
            """,
            topic_name(Topic.REFERRAL, transport.topic_prefix),
            str(event.episode_id),
        )
    await relaying.add(event, "next-1")

    async def next_published() -> bool:
        await relaying.relay.publish_pending()
        return (await relaying.row("next-1"))["published_at"] is not None

    assert await eventually(next_published, within=20, what="the row after the huge one published")
    huge = await relaying.row("huge-1")
    assert huge["published_at"] is None
    assert huge["failure"].startswith("MessageSizeTooLargeError")


class FailingFirst:
    """The transport's producer, failing its first `failures` sends as a broker outage would."""

    def __init__(self, producer: Producer, failures: int) -> None:
        self.producer = producer
        self.failures = failures

    async def start(self) -> None:
        await self.producer.start()

    async def stop(self) -> None:
        await self.producer.stop()

    async def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> Awaitable[Any]:
        if self.failures > 0:
            self.failures -= 1
            raise KafkaConnectionError("broker unreachable")
        return await self.producer.send(topic, value=value, key=key, headers=headers)

    async def send_and_wait(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> Any:
        return await (await self.send(topic, value, key, headers))


async def test_an_error_worth_retrying_leaves_the_row_pending_and_the_next_try_publishes_it(
    relaying: Relaying, transport: Transport
) -> None:
    flaky = Relaying(relaying.pool, transport, relaying.source, FailingFirst(transport.producer("flaky"), failures=1))
    await flaky.relay.producer.start()
    try:
        event = referral()
        await flaky.add(event, "retried-1")
        with pytest.raises(RelayDeferred, match="KafkaConnectionError"):
            await flaky.relay.publish_pending()
        row = await flaky.row("retried-1")
        assert (row["published_at"], row["failed_at"]) == (None, None)
        assert await flaky.relay.publish_pending() == 1
        assert [e.metadata.id for e in await read_events(transport, Topic.REFERRAL, want=1)] == ["retried-1"]
    finally:
        await flaky.relay.producer.stop()


async def test_the_backlog_gauges_count_the_pending_rows_and_the_age_of_the_oldest(relaying: Relaying) -> None:
    for n in range(3):
        await relaying.add(referral(), f"waiting-{n}")
    await asyncio.sleep(1.2)
    async with relaying.pool.acquire() as conn:
        await relaying.relay._count_backlog(conn, now=True)
    assert sample("carerelay_outbox_unpublished", source=relaying.source) == 3
    assert sample("carerelay_outbox_oldest_unpublished_age_seconds", source=relaying.source) >= 1.0
    assert relaying.relay.progress.waiting == 3
    assert await relaying.relay.publish_pending() == 3
    await relaying.relay.publish_pending()
    assert sample("carerelay_outbox_unpublished", source=relaying.source) == 0
    assert sample("carerelay_outbox_oldest_unpublished_age_seconds", source=relaying.source) == 0


async def published(relaying: Relaying, *event_ids: str) -> list[str]:
    async with relaying.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT event_id FROM event_outbox WHERE event_id = ANY($1) AND published_at IS NOT NULL ORDER BY seq",
            list(event_ids),
        )
    return [row["event_id"] for row in rows]


async def test_a_later_row_waits_for_an_open_transaction_holding_a_lower_seq_then_both_go_in_order(
    relaying: Relaying, transport: Transport
) -> None:
    event = referral()
    episode = str(event.episode_id)
    async with relaying.pool.acquire() as long_running:
        first = long_running.transaction()
        await first.start()
        await relaying.outbox.add(long_running, event, event_id="row-1")  # seq 1, not committed yet
        await relaying.add(event, "row-2")  # seq 2, committed
        for _ in range(3):
            assert await relaying.relay.publish_pending() == 0
            assert await published(relaying, "row-1", "row-2") == []
        await first.commit()
    assert await relaying.relay.publish_pending() == 2
    received = await read_events(transport, Topic.REFERRAL, want=2, key=episode)
    assert [envelope.metadata.id for envelope in received] == ["row-1", "row-2"]


async def test_a_rolled_back_row_holds_nothing_back_once_its_transaction_has_ended(relaying: Relaying) -> None:
    async with relaying.pool.acquire() as conn:
        abandoned = conn.transaction()
        await abandoned.start()
        await relaying.outbox.add(conn, referral(), event_id="rolled-back-1")
        await relaying.add(referral(), "after-rollback-1")
        assert await relaying.relay.publish_pending() == 0
        await abandoned.rollback()

    async def went() -> bool:
        await relaying.relay.publish_pending()
        return await published(relaying, "after-rollback-1") == ["after-rollback-1"]

    assert await eventually(went, within=10, what="the row after the rolled-back one published")


async def test_a_long_transaction_without_outbox_rows_here_or_in_another_database_holds_nothing_back(
    relaying: Relaying,
) -> None:
    other_database = await asyncpg.connect(StackSettings().admin_url())
    try:
        async with relaying.pool.acquire() as here:
            elsewhere = other_database.transaction()
            await elsewhere.start()
            await other_database.fetchval("SELECT pg_current_xact_id()")  # holds a transaction id open
            local = here.transaction()
            await local.start()
            await here.fetchval("SELECT pg_current_xact_id()")
            await relaying.add(referral(), "not-held-1")
            assert await relaying.relay.publish_pending() == 1
            await local.rollback()
            await elsewhere.rollback()
    finally:
        await other_database.close()


async def test_under_concurrent_writers_with_rollbacks_every_committed_row_leaves_once_in_seq_order_per_key(
    relaying: Relaying, transport: Transport
) -> None:
    episodes = [referral() for _ in range(4)]
    committed: list[str] = []

    async def writer(n: int) -> None:
        for t in range(15):
            async with relaying.pool.acquire() as conn:
                transaction = conn.transaction()
                await transaction.start()
                ids = [f"w{n}-t{t}-r{r}" for r in range(1 + (n + t) % 3)]
                for r, event_id in enumerate(ids):
                    await relaying.outbox.add(conn, episodes[(n + t + r) % len(episodes)], event_id=event_id)
                    await asyncio.sleep(0.001 * ((n * 7 + t * 3 + r) % 5))  # some transactions stay open longer
                if (n + t) % 4 == 0:
                    await transaction.rollback()
                else:
                    await transaction.commit()
                    committed.extend(ids)

    stopping = asyncio.Event()
    relay = asyncio.create_task(relaying.relay.run(stopping))
    try:
        await asyncio.gather(*(writer(n) for n in range(5)))
        async with relaying.pool.acquire() as conn:
            seqs = {row["event_id"]: row["seq"] for row in await conn.fetch("SELECT event_id, seq FROM event_outbox")}

        async def all_published() -> bool:
            return len(await published(relaying, *committed)) == len(committed)

        assert await eventually(all_published, within=30, what="every committed row published")
    finally:
        stopping.set()
        await relay
    received = await read_events(transport, Topic.REFERRAL, want=len(committed))
    assert sorted(envelope.metadata.id for envelope in received) == sorted(committed)
    for episode in episodes:
        leaving = [e.metadata.id for e in received if e.metadata.id in seqs and e.event.episode_id == episode.episode_id]
        assert leaving == sorted(leaving, key=seqs.__getitem__), "an episode's events left out of seq order"
