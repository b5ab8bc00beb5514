"""Which failures are retried for ever and which are dead-lettered, on a real PostgreSQL: a handler
whose database is away, restarting, failing over, locked or not yet migrated (real server errors of
each SQLSTATE, raised by PL/pgSQL, and a real missing table and a real lock) has its event handled
once when that passes, and nothing dead-lettered; a handler bug is tried a few times and then
dead-lettered with the reason; the two are counted apart, and the retries metric says which kind."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY

from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import Topic, topic_name
from carerelay_events.dead_letters import DeadLetters
from carerelay_events.failures import backoff_seconds, is_transient
from carerelay_events.handlers import Handlers
from carerelay_events.outbox import Outbox
from carerelay_events.processing import EventProcessor, HandlerContext, Outcome
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.base import InboundRecord, Transport
from carerelay_events.transport.memory import MemoryProducer, MemoryTransport
from carerelay_service.migrations import migrate
from carerelay_testing.broker import eventually, publish
from carerelay_testing.factories import referral_received

Failure = str | BaseException
"""What the handler does on one try: raise a server error with this SQLSTATE, or raise this exception."""
TERMINATED = "terminated"
"""Or this: have the server end the handler's connection in the middle of its transaction."""


@dataclass
class Script:
    failures: list[Failure]
    table: str = "seen"
    tries: int = 0
    lock_timeout_ms: int | None = None


handlers: Handlers[Script] = Handlers()


@handlers.on(ReferralReceived)
async def scripted(event: ReferralReceived, context: HandlerContext[Script]) -> None:
    script = context.resources
    script.tries += 1
    if script.lock_timeout_ms is not None:
        await context.conn.execute(f"SET LOCAL lock_timeout = '{script.lock_timeout_ms}ms'")
        await context.conn.execute("LOCK TABLE seen IN EXCLUSIVE MODE")
    if script.failures:
        failure = script.failures.pop(0)
        if failure == TERMINATED:
            await context.conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        elif isinstance(failure, str):
            await context.conn.execute("SELECT fail_with($1)", failure)
        raise failure if isinstance(failure, BaseException) else AssertionError("fail_with did not fail")
    await context.conn.execute(f"INSERT INTO {script.table} (event_id) VALUES ($1)", context.metadata.id)


FAST = ConsumerSettings(max_attempts_for_unexpected_errors=3, first_backoff_seconds=0.001, max_backoff_seconds=0.02)


@dataclass
class World:
    """A processor on a real PostgreSQL, its dead letters going to an in-memory broker (read back
    without waiting: none must be there)."""

    pool: asyncpg.Pool
    transport: MemoryTransport
    producer: MemoryProducer
    script: Script = field(default_factory=lambda: Script([]))

    def processor(self, settings: ConsumerSettings = FAST) -> EventProcessor[Script]:
        return EventProcessor(
            consumer="retries-test",
            pool=self.pool,
            outbox=Outbox(source="/carerelay/retries-test"),
            handlers=handlers,
            resources=self.script,
            dead_letters=DeadLetters(self.producer, "retries-test", self.transport.topic_prefix),
            settings=settings,
        )

    async def tried(self, times: int) -> bool:
        return self.script.tries >= times

    def dead_letters(self) -> list[InboundRecord]:
        return self.transport.broker.records(topic_name(Topic.DEAD_LETTER, self.transport.topic_prefix))

    async def seen(self, table: str = "seen") -> list[str]:
        async with self.pool.acquire() as conn:
            return [row["event_id"] for row in await conn.fetch(f"SELECT event_id FROM {table}")]


async def prepare(database_url: str) -> None:
    await migrate(database_url)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE TABLE seen (event_id text)")
        await conn.execute(
            """
            CREATE FUNCTION fail_with(code text) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'injected by the test' USING ERRCODE = code; END $$
            """
        )
    finally:
        await conn.close()


@pytest.fixture
async def world(database_url: str, topic_prefix: str) -> AsyncIterator[World]:
    await prepare(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    transport = MemoryTransport(topic_prefix=topic_prefix)
    producer = transport.producer("retries-test")
    await producer.start()
    try:
        yield World(pool, transport, producer)
    finally:
        await pool.close()


def a_record(event_id: str = "event-1") -> InboundRecord:
    event = ReferralReceived.model_validate(referral_received())
    headers = encode_headers(new_metadata(event, "/tests", event_id=event_id), {})
    return InboundRecord("carerelay.referral.v1", 0, 0, event.partition_key().encode(), encode_data(event), tuple(headers))


def retries(kind: str, consumer: str = "retries-test") -> float:
    return REGISTRY.get_sample_value("carerelay_event_retries_total", {"consumer": consumer, "kind": kind}) or 0.0


TRANSIENT_SQLSTATES = {
    "08006": "connection_failure",
    "08001": "sqlclient_unable_to_establish_sqlconnection",
    "08X01": "a connection error asyncpg has no class for",
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "53300": "too_many_connections",
    "53100": "disk_full",
    "57P01": "admin_shutdown (PostgreSQL restarted)",
    "57P02": "crash_shutdown",
    "57P03": "cannot_connect_now (still starting up)",
    "55P03": "lock_not_available",
    "25006": "read_only_sql_transaction (a standby after a failover)",
    "42P01": "undefined_table (a migration not applied yet)",
    "42703": "undefined_column (the same)",
}


@pytest.mark.integration
@pytest.mark.parametrize("sqlstate", list(TRANSIENT_SQLSTATES), ids=list(TRANSIENT_SQLSTATES.values()))
async def test_a_transient_database_error_is_retried_past_the_attempts_for_bugs_and_the_event_handled_once(
    world: World, sqlstate: str
) -> None:
    world.script.failures = [sqlstate] * 7  # more than max_attempts_for_unexpected_errors (3)
    before = retries("transient")

    outcome = await world.processor().process(a_record())

    assert outcome is Outcome.HANDLED
    assert world.script.tries == 8
    assert await world.seen() == ["event-1"]
    assert world.dead_letters() == []
    assert retries("transient") - before == 7


@pytest.mark.integration
async def test_a_connection_the_server_ends_mid_transaction_is_retried_on_a_new_one(world: World) -> None:
    """What a PostgreSQL restart or a killed backend does to a handler: the connection goes under it."""
    world.script.failures = [TERMINATED] * 4

    outcome = await world.processor().process(a_record())

    assert outcome is Outcome.HANDLED
    assert world.script.tries == 5
    assert await world.seen() == ["event-1"]
    assert world.dead_letters() == []


@pytest.mark.integration
async def test_a_handler_bug_is_tried_max_attempts_times_then_dead_lettered_with_the_reason(world: World) -> None:
    world.script.failures = ["23505", "23505", "23505", "23505"]  # unique_violation: retrying will not help
    before = retries("handler")

    outcome = await world.processor().process(a_record())

    assert outcome is Outcome.DEAD_LETTERED
    assert world.script.tries == 3
    assert await world.seen() == []
    (dead,) = world.dead_letters()
    assert dict(dead.headers)["carerelay_dlq_reason"] == b"handler failed 3 times: UniqueViolationError"
    assert retries("handler") - before == 2, "two retries, then the dead letter"


@pytest.mark.integration
async def test_an_outage_does_not_use_up_a_bugs_attempts(world: World) -> None:
    """Two handler failures (fewer than the 3 allowed) with a database restart between them: handled."""
    world.script.failures = [ValueError("race"), "57P01", "57P01", "57P01", "08006", ValueError("race"), "40001"]

    outcome = await world.processor().process(a_record())

    assert outcome is Outcome.HANDLED
    assert world.script.tries == 8
    assert await world.seen() == ["event-1"]
    assert world.dead_letters() == []


@pytest.mark.integration
async def test_nor_does_a_bug_use_up_an_outages_retries_and_a_bug_among_outages_is_still_dead_lettered(world: World) -> None:
    world.script.failures = [ValueError("bug"), "08006", "08006", ValueError("bug"), "57P03", "57P03", "57P03", ValueError("bug")]

    outcome = await world.processor().process(a_record())

    assert outcome is Outcome.DEAD_LETTERED
    assert world.script.tries == 8, "every outage retried, and the third failure of the bug dead-letters"
    (dead,) = world.dead_letters()
    assert dict(dead.headers)["carerelay_dlq_reason"] == b"handler failed 3 times: ValueError"


@pytest.mark.integration
async def test_an_event_whose_table_the_migration_has_not_made_yet_waits_for_it(world: World) -> None:
    """A deploy whose new code runs before its migration: a real missing table, then the migration."""
    world.script.table = "seen_v2"
    processing = asyncio.create_task(world.processor().process(a_record()))
    await eventually(lambda: world.tried(5), within=10, what="five tries on the missing table")
    async with world.pool.acquire() as conn:
        await conn.execute("CREATE TABLE seen_v2 (event_id text)")

    assert await asyncio.wait_for(processing, 10) is Outcome.HANDLED
    assert await world.seen("seen_v2") == ["event-1"]
    assert world.dead_letters() == []


@pytest.mark.integration
async def test_an_event_whose_rows_are_locked_past_the_lock_timeout_waits_for_the_lock(world: World) -> None:
    """A real lock held elsewhere (a long re-plan, a migration): lock_timeout fires with 55P03 until it is let go."""
    world.script.lock_timeout_ms = 20
    holder = await world.pool.acquire()
    locking = holder.transaction()
    await locking.start()
    await holder.execute("LOCK TABLE seen IN EXCLUSIVE MODE")
    try:
        processing = asyncio.create_task(world.processor().process(a_record()))
        await eventually(lambda: world.tried(5), within=10, what="five tries on the locked table")
    finally:
        await locking.rollback()
        await world.pool.release(holder)

    assert await asyncio.wait_for(processing, 10) is Outcome.HANDLED
    assert await world.seen() == ["event-1"]
    assert world.dead_letters() == []


@pytest.fixture
async def runtime(transport: Transport, database_url: str) -> AsyncIterator[EventRuntime[Script]]:
    await prepare(database_url)
    running = EventRuntime(
        name="retries-test",
        database_url=database_url,
        handlers=handlers,
        resources=Script(failures=[*["57P01"] * 6, "57P02", "57P03"]),
        transport=transport,
        consumer_settings=FAST,
    )
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_a_database_restart_under_the_consumer_neither_dead_letters_nor_loses_the_event(
    runtime: EventRuntime[Script], transport: Transport
) -> None:
    """Through the consuming loop on each transport: the admin and crash shutdowns of a restart, then
    "the database system is starting up", and the event is handled once; the next one after it too."""
    first = ReferralReceived.model_validate(referral_received())
    await publish(transport, first, event_id="during-restart")
    await publish(transport, first, event_id="after-restart")

    async def both_handled() -> bool:
        async with runtime.pool.acquire() as conn:
            seen = [row["event_id"] for row in await conn.fetch("SELECT event_id FROM seen ORDER BY event_id")]
        return seen == ["after-restart", "during-restart"]

    assert await eventually(both_handled, what="both events handled, once each")
    assert runtime.resources.tries == 10
    dead = REGISTRY.get_sample_value(
        "carerelay_dead_letters_total",
        {"consumer": runtime.consumer_group, "topic": topic_name(Topic.REFERRAL, transport.topic_prefix)},
    )
    assert not dead
    assert retries("transient", runtime.consumer_group) == 8


@pytest.mark.parametrize(
    "error",
    [
        OSError("network unreachable"),
        ConnectionResetError(),
        TimeoutError(),
        KafkaConnectionError(),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.CrashShutdownError(""),
        asyncpg.exceptions.CannotConnectNowError(""),
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.exceptions.IdleSessionTimeoutError(""),
        asyncpg.exceptions.LockNotAvailableError(""),
        asyncpg.exceptions.ReadOnlySQLTransactionError(""),
        asyncpg.exceptions.UndefinedTableError(""),
        asyncpg.exceptions.UndefinedColumnError(""),
        asyncpg.exceptions.DiskFullError(""),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("cannot call Transaction.__aexit__(): the underlying connection is closed"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_outages_are_transient(error: BaseException) -> None:
    assert is_transient(error)


def test_a_wrapped_outage_is_transient_too() -> None:
    class StoreUnavailable(Exception):
        pass

    wrapped = StoreUnavailable("the store is away")
    wrapped.__cause__ = asyncpg.exceptions.AdminShutdownError("restart")  # raise StoreUnavailable(...) from outage
    assert is_transient(wrapped)
    assert not is_transient(StoreUnavailable("no cause"))


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("missing"),
        asyncpg.exceptions.UniqueViolationError(""),
        asyncpg.exceptions.NotNullViolationError(""),
        asyncpg.exceptions.InvalidTextRepresentationError(""),
        asyncpg.exceptions.UndefinedFunctionError(""),
        asyncpg.exceptions.InsufficientPrivilegeError(""),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_bugs_are_not_transient(error: BaseException) -> None:
    assert not is_transient(error)


def test_backoff_doubles_from_the_first_step_to_the_cap_with_jitter_in_the_upper_half() -> None:
    rng = random.Random(14)
    steps = [min(30.0, 0.2 * 2 ** (attempt - 1)) for attempt in range(1, 40)]
    waits = [backoff_seconds(attempt, 0.2, 30.0, rng) for attempt in range(1, 40)]
    for step, wait in zip(steps, waits, strict=True):
        assert step / 2 <= wait <= step
    assert len({round(wait, 6) for wait in waits[-10:]}) == 10, "capped waits still differ (jitter)"
    assert backoff_seconds(10_000, 0.2, 30.0) <= 30.0
