"""Whether a consumer group has processed the backlog that was waiting when a worker started: what
triage's response clocks wait for after a restart, so that a `visit.started` still in the backlog
stops its clock before the clock's deadline is judged (no false breach, and no "met" after a breach).

The backlog is each partition's end offset when the worker started, read from the broker; the group
has caught up when its committed offset (the next record it will read, committed once the record is
processed) has reached that end on every partition that had records waiting. The group's committed
offsets are the group's, whichever of its members holds a partition, so this holds for one worker or
several. Records that arrive later are not part of the backlog: the clocks never wait for them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from .settings import KafkaSettings
from .transport.aiokafka import connection_options

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Backlog:
    """Per partition with records waiting for the group at the start: the offset the group must reach."""

    ends: dict[TopicPartition, int]

    def left(self, committed: dict[TopicPartition, int]) -> int:
        """Records of the backlog the group has not yet committed past."""
        return sum(max(0, end - committed.get(tp, 0)) for tp, end in self.ends.items())


def backlog_of(
    beginnings: dict[TopicPartition, int], ends: dict[TopicPartition, int], committed: dict[TopicPartition, int]
) -> Backlog:
    """The partitions whose end is past both the group's committed offset and the log's beginning."""
    return Backlog({tp: end for tp, end in ends.items() if end > max(beginnings.get(tp, 0), committed.get(tp, -1))})


async def committed_offsets(settings: KafkaSettings, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**connection_options(settings), client_id=f"{group}-catch-up")
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def backlog_now(settings: KafkaSettings, group: str, topics: Sequence[str]) -> Backlog:
    """What is waiting for `group` on `topics` now."""
    # Subscribed (with no group), so that start() waits for the topics' metadata and their partitions are known.
    consumer = AIOKafkaConsumer(*topics, **connection_options(settings), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        beginnings = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return backlog_of(beginnings, ends, await committed_offsets(settings, group))


async def wait_for_catch_up(
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    *,
    limit_seconds: float,
    every_seconds: float = 1.0,
) -> bool:
    """Wait until `group` has processed what was waiting on `topics` when this was called; True when it
    has, False when `limit_seconds` passed first (a stalled consumer is reported by /health; whatever
    waits on this must not wait for ever). A broker that cannot be asked is asked again."""
    began = time.monotonic()
    backlog: Backlog | None = None
    while time.monotonic() - began < limit_seconds:
        try:
            first = backlog is None
            if backlog is None:
                backlog = await backlog_now(settings, group, topics)
            left = backlog.left(await committed_offsets(settings, group)) if backlog.ends else 0
            if first:
                log.info("waiting for the backlog at start", group=group, records=left, partitions=len(backlog.ends))
            if left == 0:
                log.info("caught up with the backlog at start", group=group, seconds=round(time.monotonic() - began, 1))
                return True
        except Exception as error:  # the broker not reachable yet: ask again
            log.warning("backlog at start not known yet", group=group, error=type(error).__name__)
        await asyncio.sleep(every_seconds)
    log.warning("not caught up with the backlog at start; going on", group=group, limit_seconds=limit_seconds)
    return False
