"""A small, forward-only SQL migration runner: the event plumbing first, then a service's own files.

Files are `NNN_name.sql`, applied once each, in order, each in its own transaction, under an
advisory lock so two instances starting together do not race.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import asyncpg

_LOCK_ID = 7_411_002  # any constant shared by every instance of a service

PLUMBING_VERSION = "000_event_plumbing"

PLUMBING_STEPS: list[tuple[str, str]] = [(PLUMBING_VERSION, "sql/plumbing.sql"), ("000_outbox_relay", "sql/outbox_relay.sql")]
"""The event plumbing's steps, in order (libs/events owns their shape): the outbox and inbox tables, then
the relay's bookkeeping (rows set aside)."""


def plumbing_sql() -> str:
    """The outbox and inbox tables (libs/events owns their shape)."""
    return resources.files("carerelay_events").joinpath("sql/plumbing.sql").read_text()


def plumbing_migrations() -> list[tuple[str, str]]:
    return [(version, resources.files("carerelay_events").joinpath(path).read_text()) for version, path in PLUMBING_STEPS]


KIT_MIGRATIONS: list[tuple[str, str]] = [
    ("000_idempotent_requests", resources.files("carerelay_service").joinpath("sql/idempotent_requests.sql").read_text()),
]
"""The service kit's own tables, applied after the plumbing in every service's database."""


async def migrate(dsn: str, migrations_dir: Path | None = None, shared: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Apply what has not been applied yet; return the versions applied now. `shared` are (version, sql)
    steps from shared libraries (e.g. the audit trail), applied after the event plumbing."""
    steps: list[tuple[str, str]] = [*plumbing_migrations(), *KIT_MIGRATIONS, *shared]
    if migrations_dir is not None:
        steps += _service_migrations(migrations_dir)
    conn = await asyncpg.connect(dsn)
    applied_now: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row["version"] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, sql in steps:
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied_now.append(version)
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
    finally:
        await conn.close()
    return applied_now


def service_migrations(service: str) -> Path | None:
    """Service `service`'s own migrations: the `migrations/` folder beside its package
    (`services/<service>/migrations` next to `carerelay_<service>`), or None when it has none."""
    spec = importlib.util.find_spec(f"carerelay_{service}")
    if spec is None or spec.origin is None:
        raise LookupError(f"no package carerelay_{service}")
    folder = Path(spec.origin).resolve().parent.parent / "migrations"
    return folder if folder.is_dir() else None


def _service_migrations(migrations_dir: Path) -> list[tuple[str, str]]:
    return [(path.stem, path.read_text()) for path in sorted(migrations_dir.glob("*.sql"))]
