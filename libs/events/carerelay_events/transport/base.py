"""The broker behind two small protocols. Every transport implements them; the processing, the
outbox relay and the dead letters are written against these and nothing else.

Semantics every implementation keeps (the contract tests in libs/events/tests run the same bodies
against the real Kafka and the in-memory broker):

- A record sent with a key lands on one partition chosen by that key, so one key's records keep
  their order.
- A consumer in a group sees each partition's records in offset order, from its group's committed
  offset (or the earliest, for a new group).
- Offsets move only when `commit` is called: a consumer that stops without committing has the
  same records delivered again to the next member of its group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


class CommitFailed(Exception):
    """A commit for a partition this member no longer holds (a rebalance moved it): its records
    will be delivered again to the member that holds it now, and the inbox makes that harmless."""


class Partition(NamedTuple):
    """One partition of one topic (the same shape as aiokafka's TopicPartition)."""

    topic: str
    partition: int


@dataclass(frozen=True)
class InboundRecord:
    """A record as any transport delivers it to the processor."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


class Record(Protocol):
    """What a consumer's `getmany` returns per record (aiokafka's ConsumerRecord has this shape)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


class Producer(Protocol):
    """Sends records to topics."""

    async def start(self) -> None:
        """Connect. May block until the broker answers; must be awaited before `send`."""

    async def stop(self) -> None:
        """Flush what is in flight, then disconnect."""

    async def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> Awaitable[Any]:
        """Queue one record and return a future that resolves when the broker has it (acks=all) or
        fails with the reason. Awaiting `send` itself blocks only while the client's buffer is full (or,
        on Kafka, while the topic's metadata is fetched). A record over 1 MiB raises
        `MessageSizeTooLargeError` at once."""

    async def send_and_wait(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> Any:
        """Send one record and wait until the broker has it (or raise)."""


class Consumer(Protocol):
    """Reads records of its topics as one member of a consumer group."""

    async def start(self) -> None:
        """Join the group. Returns once partitions can be fetched."""

    async def stop(self) -> None:
        """Leave the group without committing anything further."""

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> Mapping[Any, Sequence[Any]]:
        """Records fetched since the last call, by partition (keys are `Partition`-shaped, values
        `Record`-shaped), in offset order; waits at most `timeout_ms` when there are none. Never
        commits."""

    async def commit(self, offsets: Mapping[Any, int]) -> None:
        """Commit, for each partition, the offset of the next record to read. Raises when the
        partition is no longer this member's (a rebalance): the records will be redelivered."""

    def assignment(self) -> set[Any]:
        """The partitions this member holds now."""

    def highwater(self, partition: Any) -> int | None:
        """The offset after the partition's last record, when known."""

    async def position(self, partition: Any) -> int:
        """The offset of the next record this member will fetch from the partition."""


class Transport(Protocol):
    """Makes the clients of one broker (a real cluster, or the in-memory one)."""

    topic_prefix: str

    def producer(self, client_id: str) -> Producer:
        """A producer with the project's safe settings (acks=all, idempotence)."""

    def consumer(self, group_id: str, topics: list[str]) -> Consumer:
        """A consumer of `topics` in group `group_id`, auto-commit off, reading from the earliest
        offset when the group is new."""
