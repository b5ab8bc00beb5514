"""Create what the services need and do not create themselves: topics, and for each service its own
database owned by its own login role (least privilege: a service cannot touch another's data).
Each service runs its own migrations when it starts. Safe to run again."""

from __future__ import annotations

import asyncpg

from carerelay_events.admin import ensure_topics
from carerelay_events.settings import KafkaSettings

from .settings import SERVICES, StackSettings


async def provision_database(admin_url: str, name: str, password: str) -> bool:
    """A login role and a database both named `name`, the role owning the database. True when created."""
    conn = await asyncpg.connect(admin_url)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name):
            await conn.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
        await conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        return True
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await conn.close()


async def provision(stack: StackSettings, kafka: KafkaSettings) -> list[str]:
    """Topics and databases; returns what was created, for the start-up summary."""
    created = [f"topic {name}" for name in await ensure_topics(kafka)]
    for service in SERVICES:
        role = stack.service_role(service)
        if await provision_database(stack.admin_url(), role, stack.service_password(service)):
            created.append(f"database {role}")
    return created
