"""The hub is told of every dead-lettered message (an integration message or event that could never be
processed), by reading `carerelay.dead-letter.v1` read-only with a consumer group of its own.

It never writes to the dead-letter topic: a record it cannot handle is logged and skipped, and an
outage is retried (the offset is committed only after the hub's message is stored), so nothing it
does can loop back into the topic it reads. A replay marker (`python -m carerelay_events.dead_letters
replay` appends one when it replays a dead letter) is not a dead letter: nobody is told of it.

The hub is told of each dead letter once, however often it is seen: again at the same offset (this
watch restarted before committing), or as another copy of the same poison message (its consumer
restarted before committing and dead-lettered it again, or a replay before the fix dead-lettered it
anew): `domain/dead_letters.py` says which dead letter a record is."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import structlog

from carerelay_contract.topics import Topic, topic_name
from carerelay_events.case import Case
from carerelay_events.dead_letters import CONSUMER, ORIGINAL_TOPIC, REASON, is_replay_marker
from carerelay_events.outbox import Outbox
from carerelay_events.processing import INFRASTRUCTURE_ERRORS
from carerelay_events.transport.base import Consumer, Transport

from ..domain import wording
from ..domain.dead_letters import dead_letter_trigger
from ..domain.messages import NO_EPISODE, Trigger
from ..domain.reach import Reach
from ..domain.triggers.hub import alert_hub
from .metrics import DEAD_LETTERS_SEEN
from .requester import Requester

log = structlog.get_logger(__name__)


def episode_of(key: bytes | None) -> UUID:
    """The episode a dead letter was about: its key, when that is an episode id."""
    try:
        return UUID((key or b"").decode())
    except ValueError:
        return NO_EPISODE


class DeadLetterWatch:
    """Reads the dead-letter topic with its own consumer group, on any transport."""

    def __init__(self, transport: Transport, group: str, reach: Reach, outbox: Outbox) -> None:
        self.transport = transport
        self.group = group
        self.reach = reach
        self.outbox = outbox
        self.topic = topic_name(Topic.DEAD_LETTER, transport.topic_prefix)

    async def run(self, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            consumer = self.transport.consumer(self.group, [self.topic])
            try:
                await consumer.start()
                await self._consume(consumer, pool, stopping)
            except INFRASTRUCTURE_ERRORS as outage:
                failures += 1
                log.warning("dead-letter watch: unavailable; retrying", error=type(outage).__name__)
                await asyncio.sleep(min(0.5 * 2**failures, 30.0))
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def _consume(self, consumer: Consumer, pool: asyncpg.Pool, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            batches = await consumer.getmany(timeout_ms=300, max_records=100)
            for partition, records in batches.items():
                for record in records:
                    await self.tell_the_hub(
                        pool, record.topic, record.partition, record.offset, record.key, record.headers, record.value
                    )
                await consumer.commit({partition: records[-1].offset + 1})

    async def tell_the_hub(
        self,
        pool: asyncpg.Pool,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        raw_headers: Sequence[tuple[str, bytes]],
        value: bytes | None = None,
    ) -> None:
        if is_replay_marker(raw_headers):
            return
        headers = {name: value.decode(errors="replace") for name, value in raw_headers}
        original_topic = headers.get(ORIGINAL_TOPIC, "an unknown topic")
        consumer = headers.get(CONSUMER, "a consumer")
        body = wording.dead_letter(original_topic, consumer, headers.get(REASON, "no reason given")[:300])
        which = dead_letter_trigger(consumer, original_topic, headers.get("ce_id"), key, value, f"{topic}:{partition}:{offset}")
        trigger = Trigger(which, datetime.now(UTC))
        try:
            async with pool.acquire() as conn, conn.transaction():
                tell = Requester(conn, self.outbox, Case(headers.get("carerelay_correlationid")), trigger, self.reach)
                await tell.request_all(
                    alert_hub(self.reach, episode_of(key), "dead-letter", body, trigger, urgent=False, team=None)
                )
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as error:  # never dead-letter a dead letter: say so and move on
            log.error("dead-letter watch: could not tell the hub", error=type(error).__name__, offset=offset)
            return
        DEAD_LETTERS_SEEN.inc()
