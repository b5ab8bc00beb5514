"""Triage's /health looks at its faust agent: the real worker (faust on the real Kafka, the API served
inside it, a real PostgreSQL) answers 503, naming the agent, when the agent is stuck on a record (here
behind a lock another transaction holds on the table it writes) for `stalled_after_seconds`, and 200
again once the record has gone through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from carerelay_contract.referral import ReferralReceived
from carerelay_events.settings import ConsumerSettings, KafkaSettings
from carerelay_events.transport.base import Transport
from carerelay_events.transport.memory import MemoryTransport
from carerelay_testing.broker import eventually, publish
from carerelay_testing.factories import referral_received
from carerelay_testing.ports import free_port
from carerelay_triage.app import create_app
from carerelay_triage.settings import TriageSettings

STALLED_AFTER = 2.0


@pytest.fixture
async def worker(transport: Transport, database_url: str) -> AsyncIterator[str]:
    """A triage worker in this process; the URL of its /health."""
    if isinstance(transport, MemoryTransport):
        pytest.skip("triage's worker runs on faust, which needs the real Kafka")
    settings = TriageSettings(
        database_url=database_url,
        port=free_port(),
        kafka=KafkaSettings(topic_prefix=transport.topic_prefix),
        consumer=ConsumerSettings(max_backoff_seconds=0.5, stalled_after_seconds=STALLED_AFTER),
    )
    app = create_app(settings)
    app.finalize()
    await app.start()
    health = f"http://127.0.0.1:{settings.port}/health"
    try:

        async def serving() -> bool:
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(health)).status_code == 200
            except httpx.TransportError:
                return False

        assert await eventually(serving, within=60, what="the triage worker serving /health")
        yield health
    finally:
        await app.stop()


async def test_health_says_503_naming_the_agent_while_it_is_stuck_on_a_record_and_200_once_it_moves(
    worker: str, transport: Transport, database_url: str
) -> None:
    locker = await asyncpg.connect(database_url)
    try:
        lock = locker.transaction()
        await lock.start()
        await locker.execute("LOCK TABLE triage_decisions IN ACCESS EXCLUSIVE MODE")  # as a long migration would
        await publish(transport, ReferralReceived.model_validate(referral_received()))

        async def unhealthy() -> list[str] | None:
            async with httpx.AsyncClient() as client:
                response = await client.get(worker)
            return response.json()["reasons"] if response.status_code == 503 else None

        began = asyncio.get_running_loop().time()
        reasons = await eventually(unhealthy, within=STALLED_AFTER + 30, what="/health to say 503")
        assert any(reason.startswith("faust agent ") and "one record in processing" in reason for reason in reasons)
        assert asyncio.get_running_loop().time() - began < STALLED_AFTER + 25
        await lock.rollback()

        async def decided() -> bool:
            async with httpx.AsyncClient() as client:
                healthy = (await client.get(worker)).status_code == 200
            return healthy and bool(await locker.fetchval("SELECT count(*) FROM triage_decisions"))

        assert await eventually(decided, within=30, what="the referral triaged and /health 200 again")
    finally:
        await locker.close()
