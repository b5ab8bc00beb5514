"""One service's event runtime on each transport (the in-memory broker and the real Kafka) with a
real PostgreSQL: a handled event has one effect however often it is delivered, what the handler
emits leaves through the outbox with the case's correlation id, a message that can never succeed
goes to the dead-letter topic with its reason, and types the service does not handle are skipped; a
tolerant reader: fields and types this version does not know neither stop nor dead-letter anything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from carerelay_contract.envelope import decode, encode_headers, new_metadata
from carerelay_contract.referral import ReferralAccepted, ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_contract.triage import TriageCompleted
from carerelay_contract.vocabulary import LeadDiscipline, ReferralRoute, ResponseTier
from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.base import Partition, Transport
from carerelay_events.transport.memory import MemoryTransport
from carerelay_service.migrations import migrate
from carerelay_testing.broker import eventually, publish, read, send
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


async def test_an_event_delivered_twice_has_one_effect_and_its_consequence_leaves_once(
    runtime: EventRuntime[str], transport: Transport
) -> None:
    event = ReferralReceived.model_validate(referral_received())
    await publish(transport, event, event_id="event-1", correlation_id="case-1")
    await publish(transport, event, event_id="event-1", correlation_id="case-1")  # redelivered: same source and id

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM processed_events") == 1)

    assert await eventually(handled)
    published = await read(transport, Topic.TRIAGE, want=1)
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
    await send(transport, Topic.REFERRAL, b"{not json", key, broken)
    await publish(transport, good, event_id="good-1")

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM seen") == 1)

    assert await eventually(handled, what="the message after the broken one to be handled (the partition moved on)")
    (dead,) = await read(transport, Topic.DEAD_LETTER, want=1)
    headers = dict(dead.headers)
    assert headers["carerelay_dlq_reason"].decode().startswith("data is not valid JSON")
    assert headers["carerelay_dlq_original_topic"].decode() == topic_name(Topic.REFERRAL, transport.topic_prefix)
    assert dead.value == b"{not json"
    assert dead.key == key


async def test_an_event_of_a_strangers_type_is_dead_lettered_saying_so_and_the_next_is_handled(
    runtime: EventRuntime[str], transport: Transport
) -> None:
    good = ReferralReceived.model_validate(referral_received())
    key = good.partition_key().encode()
    stranger = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"stranger-1"),
        ("ce_source", b"/somewhere/else"),
        ("ce_type", b"com.example.referral.created"),
        ("content-type", b"application/json"),
    ]
    await send(transport, Topic.REFERRAL, b'{"episode_id": "x"}', key, stranger)
    await publish(transport, good, event_id="after-stranger")

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM seen") == 1)

    assert await eventually(handled, what="the event after the stranger's to be handled (the partition moved on)")
    (dead,) = await read(transport, Topic.DEAD_LETTER, want=1)
    reason = dict(dead.headers)["carerelay_dlq_reason"].decode()
    assert (
        reason == "unknown event type 'com.example.referral.created' (not a CareRelay event type, uk.nhs.carerelay.<name>.v<N>)"
    )
    referral_topic = topic_name(Topic.REFERRAL, transport.topic_prefix)
    assert sample("carerelay_events_unknown_type_total", consumer=runtime.consumer_group, topic=referral_topic) == 0


async def test_a_type_the_service_does_not_handle_is_skipped(runtime: EventRuntime[str], transport: Transport) -> None:
    accepted = ReferralAccepted(episode_id=uuid4(), referral_id=uuid4(), accepted_at=datetime.now(UTC), accepted_by="Ruth Ellis")
    received = ReferralReceived.model_validate(referral_received(route=ReferralRoute.STEP_DOWN.value))
    await publish(transport, accepted, event_id="accepted-1")
    await publish(transport, received, event_id="received-1")

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM seen") == 1)

    assert await eventually(handled)
    async with runtime.pool.acquire() as conn:
        processed = await conn.fetch("SELECT event_id FROM processed_events")
    assert [row["event_id"] for row in processed] == ["received-1"]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_known_event_with_fields_this_version_does_not_know_is_handled_not_dead_lettered(
    runtime: EventRuntime[str], transport: Transport
) -> None:
    """A rolling deploy: the producer is upgraded first and adds an optional field (at the top and
    nested); this consumer, not upgraded yet, handles the event as it knows it."""
    newer = referral_received()
    newer["preferred_language"] = "cy"
    newer["patient"] = {**newer["patient"], "pronouns": "she/her"}
    known = ReferralReceived.model_validate(referral_received())
    headers = encode_headers(new_metadata(known, "/tests", event_id="newer-1"), {})
    await send(transport, Topic.REFERRAL, orjson.dumps(newer), known.partition_key().encode(), headers)

    async def handled() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM seen WHERE referral_id = $1", UUID(newer["referral_id"])))

    assert await eventually(handled, what="the event with a new field to be handled")
    referral_topic = topic_name(Topic.REFERRAL, transport.topic_prefix)
    assert sample("carerelay_dead_letters_total", consumer=runtime.consumer_group, topic=referral_topic) == 0


async def test_an_event_of_a_type_this_version_does_not_know_is_skipped_counted_and_logged_and_the_partition_moves_on(
    runtime: EventRuntime[str], transport: Transport
) -> None:
    good = ReferralReceived.model_validate(referral_received())
    key = good.partition_key().encode()  # the same key: the same partition, after the unknown one
    unknown = [
        ("ce_specversion", b"1.0"),
        ("ce_id", b"escalated-1"),
        ("ce_source", b"/carerelay/referral"),
        ("ce_type", b"uk.nhs.carerelay.referral.escalated.v1"),
        ("content-type", b"application/json"),
    ]
    referral_topic = topic_name(Topic.REFERRAL, transport.topic_prefix)
    with capture_logs() as logs:
        await send(transport, Topic.REFERRAL, b'{"episode_id": "x", "anything": 1}', key, unknown)
        await publish(transport, good, event_id="after-unknown")

        async def handled() -> bool:
            async with runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = 'after-unknown'"))

        assert await eventually(handled, what="the event after the unknown one to be handled (the partition moved on)")
    consumer = runtime.consumer_group
    assert sample("carerelay_events_unknown_type_total", consumer=consumer, topic=referral_topic) == 1
    assert sample("carerelay_events_processed_total", consumer=consumer, outcome="unknown-type") == 1
    assert sample("carerelay_dead_letters_total", consumer=consumer, topic=referral_topic) == 0
    (line,) = [entry for entry in logs if entry.get("event_type") == "uk.nhs.carerelay.referral.escalated.v1"]
    assert "does not know" in line["event"]
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = 'escalated-1'") == 0
    if isinstance(transport, MemoryTransport):  # and the offset past both is committed
        (index,) = [n for n, log in enumerate(transport.broker.partitions(referral_topic)) if log]
        partition = Partition(referral_topic, index)

        async def committed() -> bool:
            return transport.broker.committed(consumer, partition) == 2

        assert await eventually(committed, what="the offset past both committed")
