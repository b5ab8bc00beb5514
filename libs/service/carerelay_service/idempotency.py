"""Requests made once, the same way in every service.

A client that may retry (a phone with one bar of signal, an integrator's queue) sends an
`Idempotency-Key` (or BaRS `X-Request-ID`). In the request's transaction:

    request = IdempotentRequest(key, made_by=principal.subject, action="visit.en-route", target=str(visit_id))
    earlier = await replay(conn, request)          # waits for a racing first attempt; 422 on misuse
    if earlier is not None:
        return earlier                              # the first result; nothing is done again
    ...                                             # the change, its events (outbox) and audit
    await remember(conn, request, result)

A key used again by someone else, for another action or on another record is refused (422): make a
new key for each action. The record is kept with the change, so it is as durable as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from carerelay_events.db import DbConnection

from .problems import invalid


@dataclass(frozen=True)
class IdempotentRequest:
    """One request under a key: who made it, which action, on which record ("" when it creates one)."""

    key: str
    made_by: str
    action: str
    target: str = ""


async def replay(conn: DbConnection, request: IdempotentRequest) -> dict[str, Any] | None:
    """The first result of this request, if it was made before; None if this is the first time.
    Serialises concurrent requests with the same key (a retry racing the first attempt) until the
    transaction ends. Raises a 422 when the key was used for something else."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", request.key)
    row = await conn.fetchrow(
        "SELECT made_by, action, target, result FROM idempotent_requests WHERE idempotency_key = $1", request.key
    )
    if row is None:
        return None
    if (row["made_by"], row["action"], row["target"]) != (request.made_by, request.action, request.target):
        raise invalid((("header", "Idempotency-Key"), "already used for a different action: make a new key for each action"))
    result: dict[str, Any] = orjson.loads(row["result"])
    return result


async def remember(conn: DbConnection, request: IdempotentRequest, result: dict[str, Any]) -> None:
    """Record the first result of `request`, in the transaction of the change it made."""
    await conn.execute(
        """
        INSERT INTO idempotent_requests (idempotency_key, made_by, action, target, result)
        VALUES ($1, $2, $3, $4, $5::jsonb)
        """,
        request.key,
        request.made_by,
        request.action,
        request.target,
        orjson.dumps(result).decode(),
    )
