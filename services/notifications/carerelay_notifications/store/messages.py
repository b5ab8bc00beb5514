"""`messages`: every message asked for, to whom (by reference), and where its delivery has got to.
This is the audit of who was told what and when; unique on (trigger event, audience, channel,
recipient), so the same trigger never tells anyone twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
import orjson

from carerelay_access.identity import Principal
from carerelay_access.matrix import Scope, scope_filter
from carerelay_contract.vocabulary import NotificationAudience, NotificationChannel
from carerelay_events.db import DbConnection

from ..domain.messages import FirstState, Message, MessageRequest, Status
from .access import scope_clauses

WAKE_CHANNEL = "carerelay_messages"
"""NOTIFY'd when a message is waiting to be sent: it wakes the delivery worker."""

VISIBLE = scope_clauses("m", Scope.TEAM, Scope.ASSIGNED, Scope.PRACTICE)
"""Who may read an episode's messages besides the hub: as for the person's record."""


def _message(row: asyncpg.Record) -> Message:
    return Message(
        notification_id=row["notification_id"],
        episode_id=row["episode_id"],
        audience=NotificationAudience(row["audience"]),
        channel=NotificationChannel(row["channel"]),
        recipient_ref=row["recipient_ref"],
        template=row["template"],
        subject=row["subject"],
        body=row["body"],
        trigger_event_id=row["trigger_event_id"],
        urgent=row["urgent"],
        status=Status(row["status"]),
        requested_at=row["requested_at"],
        attempts=row["attempts"],
        payload=row["payload"],
        last_error=row["last_error"],
        delivered_at=row["delivered_at"],
        correlation_id=row["correlation_id"],
        trace_headers=orjson.loads(row["trace_headers"]) if row["trace_headers"] else {},
    )


async def add(
    conn: DbConnection,
    notification_id: UUID,
    wanted: MessageRequest,
    state: FirstState,
    trigger_event_id: str,
    requested_at: datetime,
    correlation_id: str | None,
    trace_json: str,
) -> bool:
    """Store a requested message; False when this trigger already asked for it."""
    inserted = await conn.fetchval(
        """
        INSERT INTO messages (notification_id, episode_id, audience, channel, recipient_ref, template, subject, body,
                              payload, trigger_event_id, urgent, status, requested_at, delivered_at, finished_at,
                              next_attempt_at, correlation_id, trace_headers)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $14, $15, $16, $17::jsonb)
        ON CONFLICT (trigger_event_id, audience, channel, recipient_ref) DO NOTHING RETURNING true
        """,
        notification_id,
        wanted.episode_id,
        wanted.audience.value,
        wanted.channel.value,
        wanted.recipient_ref,
        wanted.template,
        wanted.subject,
        wanted.body,
        orjson.dumps(wanted.payload).decode() if wanted.payload is not None else None,
        trigger_event_id,
        wanted.urgent,
        state.status.value,
        requested_at,
        state.delivered_at,
        state.next_attempt_at,
        correlation_id,
        trace_json,
    )
    return bool(inserted)


async def wake_delivery(conn: DbConnection) -> None:
    """Wake the delivery worker (when the caller's transaction commits)."""
    await conn.execute("SELECT pg_notify($1, '')", WAKE_CHANNEL)


async def cancel_waiting(
    conn: DbConnection, episode_id: UUID, audiences: Sequence[NotificationAudience], at: datetime
) -> list[Message]:
    """Cancel the episode's messages to `audiences` still waiting to be sent (consent withdrawn); the
    messages as they were."""
    rows = await conn.fetch(
        """
        UPDATE messages SET status = 'cancelled', last_error = 'consent withdrawn', finished_at = $3
        WHERE episode_id = $1 AND audience = ANY($2::text[]) AND status = 'pending'
        RETURNING *
        """,
        episode_id,
        [audience.value for audience in audiences],
        at,
    )
    return [_message(row) for row in rows]


async def claim_due(conn: DbConnection, now: datetime) -> Message | None:
    """Lock the next message due to be sent (others' claims are skipped) until the transaction ends."""
    row = await conn.fetchrow(
        """
        SELECT * FROM messages WHERE status = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, requested_at LIMIT 1 FOR UPDATE SKIP LOCKED
        """,
        now,
    )
    return _message(row) if row is not None else None


async def claim_digest(conn: DbConnection, first: Message, templates: Sequence[str]) -> list[Message]:
    """Lock every other message waiting to go in the same digest email as `first` (same channel, audience
    and recipient, one of `templates`), due or not yet: they go together now."""
    rows = await conn.fetch(
        """
        SELECT * FROM messages
        WHERE status = 'pending' AND channel = $1 AND audience = $2 AND recipient_ref = $3 AND template = ANY($4::text[])
          AND notification_id <> $5
        ORDER BY requested_at FOR UPDATE SKIP LOCKED
        """,
        first.channel.value,
        first.audience.value,
        first.recipient_ref,
        list(templates),
        first.notification_id,
    )
    return [_message(row) for row in rows]


async def hold(conn: DbConnection, notification_id: UUID, until: datetime) -> None:
    """Quiet hours: try again at `until`."""
    await conn.execute("UPDATE messages SET next_attempt_at = $2 WHERE notification_id = $1", notification_id, until)


async def mark_delivered(conn: DbConnection, notification_id: UUID, attempt: int, at: datetime) -> None:
    await conn.execute(
        """
        UPDATE messages SET status = 'delivered', attempts = $2, last_attempt_at = $3, delivered_at = $3,
                            finished_at = $3, last_error = NULL
        WHERE notification_id = $1
        """,
        notification_id,
        attempt,
        at,
    )


async def retry_later(
    conn: DbConnection, notification_id: UUID, attempt: int, at: datetime, next_at: datetime, reason: str
) -> None:
    await conn.execute(
        """
        UPDATE messages SET attempts = $2, last_attempt_at = $3, next_attempt_at = $4, last_error = $5
        WHERE notification_id = $1
        """,
        notification_id,
        attempt,
        at,
        next_at,
        reason,
    )


async def mark_failed(conn: DbConnection, notification_id: UUID, attempt: int, at: datetime, reason: str) -> None:
    await conn.execute(
        """
        UPDATE messages SET status = 'failed', attempts = $2, last_attempt_at = $3, finished_at = $3, last_error = $4
        WHERE notification_id = $1
        """,
        notification_id,
        attempt,
        at,
        reason,
    )


async def mark_cancelled(conn: DbConnection, notification_id: UUID, at: datetime) -> None:
    """Consent was withdrawn before the message could be sent."""
    await conn.execute(
        """
        UPDATE messages SET status = 'cancelled', last_error = 'consent withdrawn', finished_at = $2
        WHERE notification_id = $1
        """,
        notification_id,
        at,
    )


async def waiting_by_channel(conn: DbConnection) -> dict[str, int]:
    """How many messages wait to be sent (retries and quiet hours included), by channel."""
    rows = await conn.fetch("SELECT channel, count(*) AS n FROM messages WHERE status = 'pending' GROUP BY channel")
    return {row["channel"]: row["n"] for row in rows}


async def for_recipients(conn: DbConnection, recipient_refs: list[str], limit: int) -> list[Message]:
    """The messages to any of `recipient_refs` (an inbox), newest first."""
    rows = await conn.fetch(
        "SELECT * FROM messages WHERE recipient_ref = ANY($1::text[]) ORDER BY requested_at DESC LIMIT $2", recipient_refs, limit
    )
    return [_message(row) for row in rows]


async def of_episode(conn: DbConnection, episode_id: UUID, principal: Principal, scopes: set[Scope], limit: int) -> list[Message]:
    """The episode's messages that `scopes` let the caller see (`Scope.ALL`: every one), oldest first."""
    visible, params = scope_filter(principal, scopes, 3, VISIBLE)
    rows = await conn.fetch(
        f"SELECT * FROM messages m WHERE m.episode_id = $1 AND {visible} ORDER BY m.requested_at LIMIT $2",
        episode_id,
        limit,
        *params,
    )
    return [_message(row) for row in rows]
