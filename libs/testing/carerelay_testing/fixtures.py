"""Fixtures every package's tests may use (loaded by pytest as the `carerelay` plugin):

- `topic_prefix`: a prefix of its own for each test, so tests never see each other's messages;
- `transport`: the broker behind `transport.base`, once as the in-memory broker and once as the
  real Kafka (`integration`), so the same test body proves both (as arroyo does);
- `database_url`: a throwaway PostgreSQL database for the test, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from carerelay_events.admin import all_topic_names, ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import KafkaTransport, connection_options
from carerelay_events.transport.base import Transport
from carerelay_events.transport.memory import MemoryTransport
from carerelay_stack.settings import StackSettings


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid4().hex[:10]}."


@pytest.fixture(params=["memory", pytest.param("kafka", marks=pytest.mark.integration)])
async def transport(request: pytest.FixtureRequest, topic_prefix: str) -> AsyncIterator[Transport]:
    """The in-memory broker, then the real Kafka with the registry's topics under `topic_prefix`."""
    if request.param == "memory":
        yield MemoryTransport(topic_prefix=topic_prefix)
        return
    settings = KafkaSettings(topic_prefix=topic_prefix)
    await ensure_topics(settings)
    try:
        yield KafkaTransport(settings)
    finally:
        admin = AIOKafkaAdminClient(**connection_options(settings))
        await admin.start()
        try:
            await admin.delete_topics(all_topic_names(settings))
        finally:
            await admin.close()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    """A new, empty database (and its owner role) on the test PostgreSQL; dropped after the test."""
    stack = StackSettings()
    name = f"t{uuid4().hex[:12]}"
    admin = await asyncpg.connect(stack.admin_url())
    try:
        await admin.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{name}'")
        await admin.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql://{name}:{name}@{stack.host}:{stack.port}/{name}"
    finally:
        admin = await asyncpg.connect(stack.admin_url())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
        finally:
            await admin.close()
