"""Handling one inbound message, independent of the Kafka client that delivered it.

The steps, in order: decode the CloudEvents envelope and validate the data against the catalogue
(a tolerant reader: fields this version does not know are ignored, so a producer deployed first may
add optional ones); open a process span continuing the producer's trace; in one PostgreSQL
transaction, record (consumer, source, id) in the inbox and run the handler, so a redelivered event
has no second effect; events the handler emits go through the outbox in that same transaction.

A message that can never succeed (InvalidMessage) goes to the dead-letter topic with the reason. An
event of a type this version does not know at all is skipped (counted and logged), as it cannot have
a handler here. A transient failure (`failures.is_transient`: the broker or database away, a failover,
a lock timeout, a migration not yet applied) is retried for ever, without committing. Any other error
is a bug: retried a few times, then dead-lettered, so one bad message cannot stall a partition for
ever. The two are counted apart, so an outage does not use up a bug's attempts, nor the reverse.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import asyncpg
import structlog
from aiokafka.errors import KafkaError
from prometheus_client import Counter

from carerelay_contract.envelope import Envelope, EventMetadata, decode_event, decode_metadata, header_map
from carerelay_contract.errors import InvalidMessage, UnknownEventType
from carerelay_contract.model import Event

from .case import Case, emit
from .db import DbConnection
from .dead_letters import DeadLetters
from .failures import INFRASTRUCTURE_ERRORS, TRANSIENT_ERRORS, FailureKind, backoff_seconds, is_transient
from .handlers import Handlers
from .outbox import Outbox
from .settings import ConsumerSettings
from .tracing import process_span
from .transport.base import InboundRecord

log = structlog.get_logger(__name__)

PROCESSED = Counter("carerelay_events_processed_total", "Inbound messages by outcome", ["consumer", "outcome"])
RETRIES = Counter(
    "carerelay_event_retries_total", "Retries of inbound messages, by kind: transient or handler", ["consumer", "kind"]
)
UNKNOWN_TYPES = Counter(
    "carerelay_events_unknown_type_total", "Events of a type this version does not know, skipped", ["consumer", "topic"]
)

__all__ = ["INFRASTRUCTURE_ERRORS", "TRANSIENT_ERRORS", "EventProcessor", "HandlerContext", "Outcome"]

R = TypeVar("R")


@dataclass(frozen=True)
class HandlerContext(Generic[R]):
    """What a handler may use: the transaction's connection, the event's metadata, the outbox for
    the events it causes, and the service's `resources` (its settings or rules)."""

    conn: DbConnection
    metadata: EventMetadata
    outbox: Outbox
    resources: R

    @property
    def case(self) -> Case:
        """The case this event belongs to: its correlation id, in the trace the handler runs in
        (which continues the producer's, so the case's own)."""
        return Case(self.metadata.correlation_id)

    async def emit(self, event: Event) -> str:
        """Publish `event` (via the outbox, in this transaction) in the case's trace and correlation id."""
        return await emit(self.conn, self.outbox, self.case, event)


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    NOT_FOR_US = "not-for-us"
    DEAD_LETTERED = "dead-lettered"
    UNKNOWN_TYPE = "unknown-type"


class EventProcessor(Generic[R]):
    """Runs a service's handlers for one consumer group. Known events of types it has no handler
    for are skipped (and committed), as every consumer of a topic sees all its types."""

    def __init__(
        self,
        consumer: str,
        pool: asyncpg.Pool,
        outbox: Outbox,
        handlers: Handlers[R],
        resources: R,
        dead_letters: DeadLetters,
        settings: ConsumerSettings | None = None,
    ) -> None:
        self.consumer = consumer
        self.pool = pool
        self.outbox = outbox
        self.handlers = handlers
        self.resources = resources
        self.dead_letters = dead_letters
        self.settings = settings or ConsumerSettings()

    async def process(self, record: InboundRecord) -> Outcome:
        """Process one record until it is handled, skipped or dead-lettered. Returns only then, so the
        caller may commit its offset; an outage keeps it here, retrying, and the offset uncommitted."""
        transient_in_a_row = 0
        handler_failures = 0
        while True:
            try:
                outcome = await self._process_once(record)
            except InvalidMessage as invalid:
                await self._dead_letter(record, invalid.reason)
                outcome = Outcome.DEAD_LETTERED
            except Exception as error:
                if is_transient(error):
                    transient_in_a_row += 1
                    RETRIES.labels(self.consumer, FailureKind.TRANSIENT.value).inc()
                    log.warning(
                        "transient failure; retrying",
                        consumer=self.consumer,
                        error=type(error).__name__,
                        sqlstate=getattr(error, "sqlstate", None),
                        attempt=transient_in_a_row,
                    )
                    await asyncio.sleep(self._backoff(transient_in_a_row))
                    continue
                transient_in_a_row = 0  # whatever was away is back: the next outage starts from the first step
                handler_failures += 1
                if handler_failures >= self.settings.max_attempts_for_unexpected_errors:
                    log.error("handler kept failing; dead-lettering", consumer=self.consumer, error=type(error).__name__)
                    await self._dead_letter(record, f"handler failed {handler_failures} times: {type(error).__name__}")
                    outcome = Outcome.DEAD_LETTERED
                else:
                    RETRIES.labels(self.consumer, FailureKind.HANDLER.value).inc()
                    log.warning(
                        "handler failed; retrying", consumer=self.consumer, error=type(error).__name__, attempt=handler_failures
                    )
                    await asyncio.sleep(self._backoff(handler_failures))
                    continue
            PROCESSED.labels(self.consumer, outcome.value).inc()
            return outcome

    def _backoff(self, attempt: int) -> float:
        return backoff_seconds(attempt, self.settings.first_backoff_seconds, self.settings.max_backoff_seconds)

    def _skip_unknown(self, record: InboundRecord, event_type: str) -> Outcome:
        """An event of a type this version has never heard of (a newer producer's): it cannot have a
        handler here, so it is skipped like any type the service does not handle, and counted."""
        UNKNOWN_TYPES.labels(self.consumer, record.topic).inc()
        log.warning(
            "skipping an event of a type this version does not know",
            consumer=self.consumer,
            event_type=event_type[:200],
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        return Outcome.UNKNOWN_TYPE

    async def _dead_letter(self, record: InboundRecord, reason: str) -> None:
        log.warning(
            "dead-lettering message",
            consumer=self.consumer,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )
        while True:
            try:
                await self.dead_letters.publish(record, reason)
                return
            except KafkaError as error:
                log.warning("dead-letter topic unavailable; retrying", error=type(error).__name__)
                await asyncio.sleep(1.0)

    async def _process_once(self, record: InboundRecord) -> Outcome:
        trace_headers: dict[str, str] = {}
        with contextlib.suppress(InvalidMessage):
            trace_headers = header_map(record.headers)
        metadata: EventMetadata | None = None
        with process_span(
            record.topic,
            self.consumer,
            trace_headers,
            message_id=trace_headers.get("ce_id"),
            event_type=trace_headers.get("ce_type"),
            partition=record.partition,
            offset=record.offset,
            key=record.key,
        ) as span:
            metadata = decode_metadata(record.headers)
            try:
                event = decode_event(metadata, record.value)
            except UnknownEventType as unknown:
                if not unknown.newer:
                    raise  # a stranger's type: dead-lettered, with the reason
                span.set_attribute("carerelay.outcome", Outcome.UNKNOWN_TYPE.value)
                return self._skip_unknown(record, unknown.event_type)
            handlers = self.handlers.for_type(type(event))
            if not handlers:
                span.set_attribute("carerelay.outcome", Outcome.NOT_FOR_US.value)
                return Outcome.NOT_FOR_US
            envelope = Envelope(metadata=metadata, event=event)
            outcome = await self._handle(envelope, handlers)
            span.set_attribute("carerelay.outcome", outcome.value)
            return outcome

    async def _handle(self, envelope: Envelope, handlers: list[Any]) -> Outcome:
        async with self.pool.acquire() as conn, conn.transaction():
            first_time = await conn.fetchval(
                """
                INSERT INTO processed_events (consumer, source, event_id, event_type, outcome)
                VALUES ($1, $2, $3, $4, 'handled')
                ON CONFLICT DO NOTHING RETURNING true
                """,
                self.consumer,
                envelope.metadata.source,
                envelope.metadata.id,
                envelope.metadata.type,
            )
            if not first_time:
                return Outcome.DUPLICATE
            context = HandlerContext(conn=conn, metadata=envelope.metadata, outbox=self.outbox, resources=self.resources)
            for handler in handlers:
                await handler(envelope.event, context)
            return Outcome.HANDLED
