"""`GET /api/notifications/stream`: the live feed as Server-Sent Events, filtered by the access matrix."""

from __future__ import annotations

import time
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

HOLE_SECONDS = 10.0
"""How long a position the stream stepped over stays watched. Several instances append to the feed at
once, so a later position can commit before an earlier one; the earlier is sent when it appears."""
MAX_HOLES = 2_000


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
    visible, params = feed.visible_filter(principal, scopes, first_param=3)
    bell: Bell = request.app.state.feed_bell
    async with pool.acquire() as conn, conn.transaction():
        start = int(last_event_id) if last_event_id else await feed.newest(conn)
        purpose = ", ".join(sorted(PURPOSES[scope] for scope in scopes))
        await audit.record(conn, principal, Action.EVENTS_SUBSCRIBE.value, "screen-feed", [str(start)], purpose)

    async def events() -> AsyncIterator[ServerSentEvent]:
        last = start
        holes: dict[int, float] = {}  # positions stepped over (not yet committed, not ours, or never used): until when
        while True:
            seen = bell.generation
            now = time.monotonic()
            holes = {position: until for position, until in holes.items() if until > now}
            async with pool.acquire() as conn:
                entries = await feed.after(conn, last, visible, params, list(holes))
            for entry in entries:
                position = entry["seq"]
                if position > last:
                    skipped = range(max(last + 1, position - MAX_HOLES), position)
                    holes.update((hole, now + HOLE_SECONDS) for hole in skipped)
                    last = position
                else:
                    holes.pop(position, None)
                yield ServerSentEvent(id=str(position), event=entry["type"], data=orjson.dumps(entry["data"]).decode())
            if len(holes) > MAX_HOLES:
                holes = dict(sorted(holes.items())[-MAX_HOLES:])
            if not entries:
                await bell.wait(seen, within=15.0)

    return EventSourceResponse(events(), ping=15, send_timeout=30)
