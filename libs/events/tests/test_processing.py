"""One service's event runtime on each transport (the in-memory broker and the real Kafka) with a
real PostgreSQL: a handled event has one effect however often it is delivered, what the handler
emits leaves through the outbox with the case's correlation id, a message that can never succeed
goes to the dead-letter topic with its reason, and types the service does not handle are skipped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from carerelay_contract.envelope import decode, encode_data, encode_headers, new_metadata
from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralAccepted, ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.base import Transport
from carerelay_service.migrations import migrate
from carerelay_testing.factories import referral_received

handlers: Handlers[str] = Handlers()


@handlers.on(ReferralReceived)
async def triage_it(event: ReferralReceived, context: HandlerContext[str]) -> None:
    await context.conn.execute("INSERT INTO seen (referral_id, note) VALUES ($1, $2)", event.referral_id, context.resources)
    await context.emit(
        TriageCompleted(
            episode_id=event.episode_id,
            referral_id=event.referral_id,
            decided_at=datetime.now(UTC),
            tier=ResponseTier.UCR_2H,
            lead_discipline=LeadDiscipline.NURSE,
            route=event.route,
            first_contact_deadline=datetime.now(UTC),
            rules_version="test",
            rules_fired=[],
        )
    )


@pytest.fixture
async def runtime(transport: Transport, database_url: str) -> AsyncIterator[EventRuntime[str]]:
    await migrate(database_url)
    conn = await asyncpg.connect(database_url)
    await conn.execute("CREATE TABLE seen (referral_id uuid, note text)")
    await conn.close()
    running = EventRuntime(
        name="processing-test",
        database_url=database_url,
        handlers=handlers,
        resources="from resources",
        transport=transport,
        consumer_settings=ConsumerSettings(max_backoff_seconds=0.5),
    )
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _send(transport: Transport, topic: Topic, value: bytes | None, key: bytes, headers: list[tuple[str, bytes]]) -> None:
    producer = transport.producer("processing-tests")
    await producer.start()
    try:
        await producer.send_and_wait(topic_name(topic, transport.topic_prefix), value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def _publish(transport: Transport, event: Event, event_id: str, correlation_id: str | None = None) -> None:
    metadata = new_metadata(event, "/tests", event_id=event_id, correlation_id=correlation_id)
    await _send(transport, event.topic, encode_data(event), event.partition_key().encode(), encode_headers(metadata, {}))


async def _until(probe: Callable[[], Awaitable[Any]], within: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await probe()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.05)


async def _records(transport: Transport, topic: Topic, want: int) -> list[Any]:
    group = f"{transport.topic_prefix}reader-{uuid4().hex[:6]}"
    consumer = transport.consumer(group, [topic_name(topic, transport.topic_prefix)])
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(found) < want and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


async def test_an_event_delivered_twice_has_one_effect_and_its_consequence_leaves_once(
    runtime: EventRuntime[str], transport: Transport
) -> None:
    event = ReferralReceived.model_validate(referral_received())
    await _publish(transport, event, "event-1", correlation_id="case-1")
    await _publish(transport, event, "event-1", correlation_id="case-1")  # redelivered: same source and id

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM processed_events") == 1)

    assert await _until(handled)
    published = await _records(transport, Topic.TRIAGE, want=1)
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT note FROM seen")
        outcomes = await conn.fetch("SELECT outcome FROM processed_events")
    assert [row["note"] for row in rows] == ["from resources"]
    assert [row["outcome"] for row in outcomes] == ["handled"]
    assert len(published) == 1
    triaged = decode(published[0].headers, published[0].value)
    assert isinstance(triaged.event, TriageCompleted)
    assert triaged.event.referral_id == event.referral_id
    assert triaged.metadata.correlation_id == "case-1"
    assert triaged.metadata.source == "/carerelay/processing-test"


async def test_a_message_that_can_never_succeed_is_dead_lettered_with_its_reason_and_the_next_is_handled(
    runtime: EventRuntime[str], transport: Transport
) -> None:
    good = ReferralReceived.model_validate(referral_received())
    key = good.partition_key().encode()
    broken = encode_headers(new_metadata(good, "/tests", event_id="broken-1"), {})
    await _send(transport, Topic.REFERRAL, b"{not json", key, broken)
    await _publish(transport, good, "good-1")

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM seen") == 1)

    assert await _until(handled), "the message after the broken one is handled: the partition moved on"
    (dead,) = await _records(transport, Topic.DEAD_LETTER, want=1)
    headers = dict(dead.headers)
    assert headers["carerelay_dlq_reason"].decode().startswith("data is not valid JSON")
    assert headers["carerelay_dlq_original_topic"].decode() == topic_name(Topic.REFERRAL, transport.topic_prefix)
    assert dead.value == b"{not json"
    assert dead.key == key


async def test_a_type_the_service_does_not_handle_is_skipped(runtime: EventRuntime[str], transport: Transport) -> None:
    accepted = ReferralAccepted(
        episode_id=uuid4(), referral_id=uuid4(), accepted_at=datetime.now(UTC), accepted_by="Ruth Ellis"
    )
    received = ReferralReceived.model_validate(referral_received(route=ReferralRoute.STEP_DOWN.value))
    await _publish(transport, accepted, "accepted-1")
    await _publish(transport, received, "received-1")

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM seen") == 1)

    assert await _until(handled)
    async with runtime.pool.acquire() as conn:
        processed = await conn.fetch("SELECT event_id FROM processed_events")
    assert [row["event_id"] for row in processed] == ["received-1"]
