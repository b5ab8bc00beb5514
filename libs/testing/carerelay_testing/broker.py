"""Talking to a service's broker from a test, on any transport: publish an event as its producer
would, send a raw record, read what is on a topic, and wait for something to become true."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from uuid import uuid4

from carerelay_contract.envelope import Envelope, decode, encode_data, encode_headers, new_metadata
from carerelay_contract.model import Event
from carerelay_contract.topics import Topic, topic_name
from carerelay_events.transport.base import Transport
from carerelay_events.transport.memory import MemoryTransport

T = TypeVar("T")


async def send(
    transport: Transport, topic: Topic, value: bytes | None, key: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> None:
    """One raw record on `topic` (under the transport's prefix), waiting until the broker has it."""
    producer = transport.producer("carerelay-tests")
    await producer.start()
    try:
        await producer.send_and_wait(topic_name(topic, transport.topic_prefix), value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def publish(
    transport: Transport,
    event: Event,
    *,
    source: str = "/tests",
    event_id: str | None = None,
    correlation_id: str | None = None,
) -> str:
    """Publish a catalogue event as a service would (CloudEvents headers, keyed by episode); its id."""
    metadata = new_metadata(event, source, event_id=event_id, correlation_id=correlation_id)
    await send(transport, event.topic, encode_data(event), event.partition_key().encode(), encode_headers(metadata, {}))
    return metadata.id


async def publish_many(
    transport: Transport, events: Sequence[Event], *, source: str = "/tests", event_ids: Sequence[str] | None = None
) -> list[str]:
    """Publish `events` in order through one producer (a burst, as fast as the broker takes it); their ids.
    Pass the ids of an earlier call as `event_ids` to deliver the very same events again."""
    if event_ids is not None and len(event_ids) != len(events):
        raise ValueError("one event id per event")
    producer = transport.producer("carerelay-tests")
    await producer.start()
    ids: list[str] = []
    delivered: list[Awaitable[Any]] = []
    try:
        for n, event in enumerate(events):
            metadata = new_metadata(event, source, event_id=event_ids[n] if event_ids is not None else None)
            sent = await producer.send(
                topic_name(event.topic, transport.topic_prefix),
                value=encode_data(event),
                key=event.partition_key().encode(),
                headers=encode_headers(metadata, {}),
            )
            delivered.append(sent)
            ids.append(metadata.id)
        await asyncio.gather(*delivered)  # the broker has every one (or this raises)
    finally:
        await producer.stop()
    return ids


async def _collect(transport: Transport, topic: Topic, keep: Callable[[Any], bool], want: int, within: float) -> list[Any]:
    group = f"{transport.topic_prefix}reader-{uuid4().hex[:8]}"
    consumer = transport.consumer(group, [topic_name(topic, transport.topic_prefix)])
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while len(found) < want and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found.extend(record for record in records if keep(record))
    finally:
        await consumer.stop()
    return found


async def read(transport: Transport, topic: Topic, want: int, within: float = 30.0) -> list[Any]:
    """The records on `topic` from its start, once `want` have come (or `within` seconds passed)."""
    return await _collect(transport, topic, lambda _: True, want, within)


async def read_events(
    transport: Transport, topic: Topic, want: int, *, key: str | None = None, within: float = 30.0
) -> list[Envelope]:
    """The events on `topic` (keyed `key`, when given), decoded, once `want` of them have come."""
    wanted = key.encode() if key is not None else None
    records = await _collect(transport, topic, lambda r: wanted is None or r.key == wanted, want, within)
    return [decode(record.headers, record.value) for record in records]


async def eventually(probe: Callable[[], Awaitable[T | None]], within: float = 30.0, what: str = "the condition") -> T:
    """Await `probe` until it returns something truthy (a row, a list, True) and return it; fail
    saying `what` never happened after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await probe()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def on_the_memory_broker(
    transport: Transport, topic: Topic, *, key: str | None = None, source: str | None = None
) -> list[Envelope]:
    """What is on `topic` of an in-memory broker now (keyed `key`, from `source`, when given), decoded,
    partition by partition: no consumer, nothing to wait for."""
    assert isinstance(transport, MemoryTransport), "only the in-memory broker can be read without a consumer"
    records = transport.broker.records(topic_name(topic, transport.topic_prefix))
    envelopes = [decode(r.headers, r.value) for r in records if key is None or r.key == key.encode()]
    return [envelope for envelope in envelopes if source is None or envelope.metadata.source == source]
