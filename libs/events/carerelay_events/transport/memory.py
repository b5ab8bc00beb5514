"""An in-memory broker: the same `Producer` and `Consumer` protocols as the aiokafka transport, in
one process, so a service's handlers can be tested in milliseconds without Kafka. It keeps the
contract of `transport.base` (per-key partitions, per-partition order, commit-driven redelivery,
group members sharing partitions) and nothing more: no replication, no transactions, no retention.
The cross-service tests run on the real broker; the contract tests run the same bodies on both.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import zlib
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError

from carerelay_contract.topics import TOPICS

from .base import CommitFailed, InboundRecord, Partition

DEFAULT_PARTITIONS = 3
MAX_RECORD_BYTES = 1_048_576
"""The largest record a producer takes (aiokafka's default `max_request_size`); a larger one is refused
with the same error, before it is sent."""


@dataclass
class _Group:
    members: list[MemoryConsumer] = field(default_factory=list)
    committed: dict[Partition, int] = field(default_factory=dict)


class MemoryBroker:
    """Topics, their partitions' records and each consumer group's committed offsets."""

    def __init__(self) -> None:
        self._partitions: dict[str, list[list[InboundRecord]]] = {}
        self._groups: dict[str, _Group] = {}
        self._changed = asyncio.Condition()
        self._round_robin = itertools.count()
        self.version = 0
        """Counts appends, so a waiting consumer never misses one made while it was fetching."""

    def create_topic(self, name: str, partitions: int) -> None:
        self._partitions.setdefault(name, [[] for _ in range(partitions)])

    def partitions(self, topic: str) -> list[list[InboundRecord]]:
        """A topic's partitions; an unknown topic is made with the registry's partition count for
        its name (any prefix ignored), else DEFAULT_PARTITIONS."""
        if topic not in self._partitions:
            spec = next((spec for registered, spec in TOPICS.items() if topic.endswith(registered.value)), None)
            self.create_topic(topic, spec.partitions if spec else DEFAULT_PARTITIONS)
        return self._partitions[topic]

    def records(self, topic: str) -> list[InboundRecord]:
        """Every record on the topic, partition by partition (for tests' assertions)."""
        return [record for partition in self.partitions(topic) for record in partition]

    async def append(
        self, topic: str, value: bytes | None, key: bytes | None, headers: Sequence[tuple[str, bytes]]
    ) -> InboundRecord:
        partitions = self.partitions(topic)
        index = zlib.crc32(key) % len(partitions) if key is not None else next(self._round_robin) % len(partitions)
        log = partitions[index]
        record = InboundRecord(topic, index, len(log), key, value, tuple(headers))
        log.append(record)
        self.version += 1
        async with self._changed:
            self._changed.notify_all()
        return record

    def group(self, group_id: str) -> _Group:
        return self._groups.setdefault(group_id, _Group())

    def committed(self, group_id: str, partition: Partition) -> int:
        return self.group(group_id).committed.get(partition, 0)

    async def wait_for_change(self, since: int, seconds: float) -> None:
        """Return when a record has been appended after `version` was `since`, or after `seconds`."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version != since), seconds)

    def rebalance(self, group_id: str) -> None:
        """Share the group's partitions among its members, round robin; each member resumes a
        newly assigned partition from the group's committed offset."""
        group = self.group(group_id)
        if not group.members:
            return
        topics = sorted({topic for member in group.members for topic in member.topics})
        every = [Partition(topic, index) for topic in topics for index in range(len(self.partitions(topic)))]
        shares: dict[int, set[Partition]] = {id(member): set() for member in group.members}
        for position, partition in enumerate(p for p in every if any(p.topic in m.topics for m in group.members)):
            wanting = [m for m in group.members if partition.topic in m.topics]
            shares[id(wanting[position % len(wanting)])].add(partition)
        for member in group.members:
            member._assign(shares[id(member)])


class MemoryProducer:
    """`transport.base.Producer` on a MemoryBroker: a send is on the partition when its future resolves."""

    def __init__(self, broker: MemoryBroker) -> None:
        self.broker = broker
        self.started = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False

    async def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> Awaitable[Any]:
        if not self.started:
            raise RuntimeError("MemoryProducer.start() has not been awaited")
        size = len(value or b"") + len(key or b"") + sum(len(name) + len(data) for name, data in headers)
        if size > MAX_RECORD_BYTES:
            raise MessageSizeTooLargeError(f"The message is about {size} bytes, over {MAX_RECORD_BYTES}")
        delivered: asyncio.Future[InboundRecord] = asyncio.get_running_loop().create_future()
        delivered.set_result(await self.broker.append(topic, value, key, headers))
        return delivered

    async def send_and_wait(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> Any:
        return await (await self.send(topic, value, key, headers))


class MemoryConsumer:
    """`transport.base.Consumer` on a MemoryBroker, as one member of `group_id`."""

    def __init__(self, broker: MemoryBroker, group_id: str, topics: list[str]) -> None:
        self.broker = broker
        self.group_id = group_id
        self.topics = list(topics)
        self._positions: dict[Partition, int] = {}

    def _assign(self, partitions: set[Partition]) -> None:
        self._positions = {
            partition: self._positions.get(partition, self.broker.committed(self.group_id, partition))
            for partition in partitions
        }

    async def start(self) -> None:
        for topic in self.topics:
            self.broker.partitions(topic)
        self.broker.group(self.group_id).members.append(self)
        self.broker.rebalance(self.group_id)

    async def stop(self) -> None:
        members = self.broker.group(self.group_id).members
        if self in members:
            members.remove(self)
        self._positions = {}
        self.broker.rebalance(self.group_id)

    def _fetch(self, max_records: int | None) -> dict[Partition, list[InboundRecord]]:
        fetched: dict[Partition, list[InboundRecord]] = {}
        budget = max_records if max_records is not None else 500
        for partition, position in sorted(self._positions.items()):
            log = self.broker.partitions(partition.topic)[partition.partition]
            records = log[position : position + budget]
            if records:
                fetched[partition] = records
                self._positions[partition] = position + len(records)
                budget -= len(records)
            if budget <= 0:
                break
        return fetched

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> Mapping[Partition, Sequence[InboundRecord]]:
        since = self.broker.version
        fetched = self._fetch(max_records)
        if not fetched and timeout_ms > 0:
            await self.broker.wait_for_change(since, timeout_ms / 1000)
            fetched = self._fetch(max_records)
        return fetched

    async def commit(self, offsets: Mapping[Any, int]) -> None:
        for partition, offset in offsets.items():
            key = Partition(partition[0], partition[1])
            if key not in self._positions:
                raise CommitFailed(f"{key.topic}[{key.partition}] is no longer assigned to this member")
            self.broker.group(self.group_id).committed[key] = offset

    def assignment(self) -> set[Any]:
        return set(self._positions)

    def highwater(self, partition: Any) -> int | None:
        return len(self.broker.partitions(partition[0])[partition[1]])

    async def position(self, partition: Any) -> int:
        return self._positions[Partition(partition[0], partition[1])]


class MemoryTransport:
    """`transport.base.Transport` on one MemoryBroker (share the broker between services to connect them)."""

    def __init__(self, broker: MemoryBroker | None = None, topic_prefix: str = "") -> None:
        self.broker = broker or MemoryBroker()
        self.topic_prefix = topic_prefix

    def producer(self, client_id: str) -> MemoryProducer:
        return MemoryProducer(self.broker)

    def consumer(self, group_id: str, topics: list[str]) -> MemoryConsumer:
        return MemoryConsumer(self.broker, group_id, topics)
