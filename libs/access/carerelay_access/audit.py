"""The audit trail: who (subject, roles, organisation) did what (action on which records), when and
why (the purpose: "hub triage", "assigned visit", "break-glass: <reason>"), allowed or denied.

Entries hold ids, never names, NHS numbers or addresses. Each entry's hash covers the previous
entry's hash, so an edited or deleted entry breaks the chain; `verify` finds where.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import orjson

from carerelay_events.db import DbConnection

from .identity import Principal

GENESIS = "0" * 64
_CHAIN_LOCK = 7_411_003

AUDIT_MIGRATION = ("000_audit_log", resources.files("carerelay_access").joinpath("sql/audit.sql").read_text())


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    roles: str
    organisation: str | None
    action: str
    resource_type: str
    resource_ids: tuple[str, ...]
    purpose: str
    outcome: str

    def digest(self, prev_hash: str) -> str:
        body = orjson.dumps(
            {
                "prev": prev_hash,
                "at": self.at.astimezone(UTC).isoformat(),
                "actor": self.actor,
                "roles": self.roles,
                "organisation": self.organisation,
                "action": self.action,
                "resource_type": self.resource_type,
                "resource_ids": list(self.resource_ids),
                "purpose": self.purpose,
                "outcome": self.outcome,
            },
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(body).hexdigest()


async def record(
    conn: DbConnection,
    principal: Principal,
    action: str,
    resource_type: str,
    resource_ids: list[str] | tuple[str, ...],
    purpose: str,
    outcome: str = "allowed",
) -> None:
    """Append an entry, in the caller's transaction if there is one (a write and its audit entry commit together)."""
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor=principal.subject,
        roles=principal.role_names,
        organisation=principal.organisation,
        action=action,
        resource_type=resource_type,
        resource_ids=tuple(resource_ids),
        purpose=purpose[:300],
        outcome=outcome,
    )
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _CHAIN_LOCK)
        prev = await conn.fetchval("SELECT entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1") or GENESIS
        await conn.execute(
            """
            INSERT INTO audit_log (at, actor, roles, organisation, action, resource_type, resource_ids, purpose, outcome,
                                   prev_hash, entry_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            entry.at,
            entry.actor,
            entry.roles,
            entry.organisation,
            entry.action,
            entry.resource_type,
            list(entry.resource_ids),
            entry.purpose,
            entry.outcome,
            prev,
            entry.digest(prev),
        )


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    entries: int
    first_broken_seq: int | None = None
    problem: str | None = None


async def verify(conn: DbConnection) -> ChainCheck:
    """Recompute the chain from the start."""
    prev = GENESIS
    count = 0
    async with conn.transaction():
        async for row in conn.cursor("SELECT * FROM audit_log ORDER BY seq"):
            count += 1
            if row["prev_hash"] != prev:
                return ChainCheck(False, count, row["seq"], "an entry before this one was removed or changed")
            if _entry(row).digest(prev) != row["entry_hash"]:
                return ChainCheck(False, count, row["seq"], "this entry was changed after it was written")
            prev = row["entry_hash"]
    return ChainCheck(True, count)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        at=row["at"],
        actor=row["actor"],
        roles=row["roles"],
        organisation=row["organisation"],
        action=row["action"],
        resource_type=row["resource_type"],
        resource_ids=tuple(row["resource_ids"]),
        purpose=row["purpose"],
        outcome=row["outcome"],
    )


async def entries(conn: DbConnection, resource_id: str | None, limit: int, before_seq: int | None) -> list[dict[str, Any]]:
    """Entries newest first, optionally only those naming `resource_id`."""
    rows = await conn.fetch(
        """
        SELECT * FROM audit_log WHERE ($1::text IS NULL OR $1 = ANY(resource_ids))
        AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3
        """,
        resource_id,
        before_seq,
        limit,
    )
    return [
        {
            "seq": row["seq"],
            "at": row["at"].isoformat(),
            "actor": row["actor"],
            "roles": row["roles"],
            "organisation": row["organisation"],
            "action": row["action"],
            "resource_type": row["resource_type"],
            "resource_ids": list(row["resource_ids"]),
            "purpose": row["purpose"],
            "outcome": row["outcome"],
            "entry_hash": row["entry_hash"],
        }
        for row in rows
    ]
