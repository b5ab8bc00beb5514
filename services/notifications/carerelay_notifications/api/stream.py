"""`GET /api/notifications/stream`: the live feed as Server-Sent Events, filtered by the access matrix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.web import PURPOSES, CurrentPrincipal, allowed_scopes
from carerelay_events.bell import Bell
from carerelay_service.deps import Pool
from carerelay_service.problems import invalid

from ..store import feed

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("/stream", summary="Live events for the caller's screens (Server-Sent Events)")
async def stream(
    request: Request,
    pool: Pool,
    principal: CurrentPrincipal,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> EventSourceResponse:
    """Every event the caller may see, as it happens. Each has an `id`; a screen that reconnects with
    `Last-Event-ID` gets what it missed, in order, without duplicates. Without it, only new events."""
    scopes = allowed_scopes(principal, Action.EVENTS_SUBSCRIBE)
    if last_event_id is not None and not last_event_id.isdigit():
        raise invalid((("header", "Last-Event-ID"), "must be an event id (digits)"))
    visible, params = feed.visible_filter(principal, scopes, first_param=2)
    bell: Bell = request.app.state.feed_bell
    async with pool.acquire() as conn, conn.transaction():
        start = int(last_event_id) if last_event_id else await feed.newest(conn)
        purpose = ", ".join(sorted(PURPOSES[scope] for scope in scopes))
        await audit.record(conn, principal, Action.EVENTS_SUBSCRIBE.value, "screen-feed", [str(start)], purpose)

    async def events() -> AsyncIterator[ServerSentEvent]:
        last = start
        while True:
            seen = bell.generation
            async with pool.acquire() as conn:
                entries = await feed.after(conn, last, visible, params)
            for entry in entries:
                last = entry["seq"]
                yield ServerSentEvent(id=str(entry["seq"]), event=entry["type"], data=orjson.dumps(entry["data"]).decode())
            if not entries:
                await bell.wait(seen, within=15.0)

    return EventSourceResponse(events(), ping=15, send_timeout=30)
