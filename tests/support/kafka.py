"""Reading and writing the real topics from tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from carerelay_contract.model import Event
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import KafkaTransport, connection_options, create_producer
from carerelay_testing import broker


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]

    @property
    def ce_type(self) -> str:
        return self.headers.get("ce_type", "")

    @property
    def data(self) -> dict[str, Any]:
        """The event's JSON body."""
        found: dict[str, Any] = orjson.loads(self.value or b"{}")
        return found


async def read_all(settings: KafkaSettings, topic: str) -> list[Message]:
    """Every message now on `topic`, from the beginning (no consumer group, nothing committed)."""
    consumer = AIOKafkaConsumer(
        topic, **connection_options(settings), group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = list(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        messages: list[Message] = []
        while await _behind(consumer, ends):
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    headers = {name: value.decode(errors="replace") for name, value in record.headers}
                    messages.append(Message(record.topic, record.partition, record.offset, record.key, record.value, headers))
        return messages
    finally:
        await consumer.stop()


async def _behind(consumer: AIOKafkaConsumer, ends: dict[Any, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False


async def wait_for_messages(
    settings: KafkaSettings, topic: str, matches: Callable[[Message], bool], count: int = 1, within: float = 60.0
) -> list[Message]:
    """Poll `topic` until at least `count` messages match; return the matching ones."""
    deadline = time.monotonic() + within
    found: list[Message] = []
    while time.monotonic() < deadline:
        found = [message for message in await read_all(settings, topic) if matches(message)]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"expected {count} matching messages on {topic}, found {len(found)}")


async def produce_raw(
    settings: KafkaSettings, topic: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]
) -> None:
    """One raw record on the topic named `topic` (already prefixed), as a broken or foreign producer would send it."""
    producer: AIOKafkaProducer = create_producer(settings, client_id="carerelay-tests")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def publish(settings: KafkaSettings, event: Event, source: str = "/tests", event_id: str | None = None) -> str:
    """Publish one catalogue event as a service would (CloudEvents headers, keyed by episode); returns its id."""
    return await broker.publish(KafkaTransport(settings), event, source=source, event_id=event_id)
