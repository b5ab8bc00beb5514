"""The notifications API: the live stream every screen subscribes to, and the signed-in person's
own messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.web import PURPOSES, CurrentPrincipal, allowed_scopes, audit_list
from carerelay_events.service import runtime_of

from . import feed

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("/messages", summary="My messages, newest first")
async def list_messages(
    request: Request,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.MESSAGE_READ)
    recipients = [principal.subject] + ([str(principal.staff_id)] if principal.staff_id else [])
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM messages WHERE recipient_ref = ANY($1::text[]) ORDER BY requested_at DESC LIMIT $2",
            recipients,
            limit,
        )
        await audit_list(conn, principal, Action.MESSAGE_READ, "message", [str(row["notification_id"]) for row in rows], scopes)
    return {
        "items": [
            {
                "notification_id": str(row["notification_id"]),
                "episode_id": str(row["episode_id"]),
                "audience": row["audience"],
                "channel": row["channel"],
                "template": row["template"],
                "body": row["body"],
                "status": row["status"],
                "requested_at": row["requested_at"].isoformat(),
            }
            for row in rows
        ]
    }


@router.get("/stream", summary="Live events for the caller's screens (Server-Sent Events)")
async def stream(
    request: Request,
    principal: CurrentPrincipal,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> EventSourceResponse:
    """Every event the caller may see, as it happens. Each has an `id`; a screen that reconnects with
    `Last-Event-ID` gets what it missed, in order, without duplicates. Without it, only new events."""
    scopes = allowed_scopes(principal, Action.EVENTS_SUBSCRIBE)
    if last_event_id is not None and not last_event_id.isdigit():
        raise RequestValidationError(
            [{"loc": ("header", "Last-Event-ID"), "msg": "must be an event id (digits)", "type": "value_error"}]
        )
    visible, params = feed.visible_filter(principal, scopes, first_param=2)
    pool = runtime_of(request).pool
    bell: feed.FeedBell = request.app.state.feed_bell
    async with pool.acquire() as conn, conn.transaction():
        start = int(last_event_id) if last_event_id else await conn.fetchval("SELECT coalesce(max(seq), 0) FROM screen_feed")
        purpose = ", ".join(sorted(PURPOSES[scope] for scope in scopes))
        await audit.record(conn, principal, Action.EVENTS_SUBSCRIBE.value, "screen-feed", [str(start)], purpose)

    async def events() -> AsyncIterator[ServerSentEvent]:
        last = start
        while True:
            seen = bell.generation
            async with pool.acquire() as conn:
                rows = await feed.rows_after(conn, last, visible, params)
            for row in rows:
                last = row["seq"]
                yield ServerSentEvent(id=str(row["seq"]), event=row["type"], data=orjson.dumps(row["data"]).decode())
            if not rows:
                await bell.wait(seen, within=15.0)

    return EventSourceResponse(events(), ping=15, send_timeout=30)
