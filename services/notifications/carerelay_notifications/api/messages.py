"""The notifications API: the live stream every screen subscribes to, the signed-in person's own
messages, and the audit of who was told what in an episode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import orjson
from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, Scope, scope_filter, scopes_for
from carerelay_access.roles import Role
from carerelay_access.web import PURPOSES, CurrentPrincipal, allowed_scopes, audit_list
from carerelay_service.app import runtime_of

from . import feed
from .messages import HUB_INBOX, team_inbox

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("/messages", summary="My messages (and my team's or the hub's inbox), or who was told what in an episode")
async def list_messages(
    request: Request,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    episode_id: Annotated[UUID | None, Query(description="the audit of one episode: every message, to anyone")] = None,
) -> dict[str, Any]:
    """Without `episode_id`: the caller's own messages, newest first (hub roles also see the hub's
    inbox, a coordinator their team's). With it: every message of that episode, oldest first, to
    those who may read the person's record (the hub; the team's coordinator; assigned staff; the
    registered GP) or to the auditor (without the message text). Audited either way."""
    if episode_id is not None:
        return await _episode_messages(request, principal, episode_id, limit)
    scopes = allowed_scopes(principal, Action.MESSAGE_READ)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM messages WHERE recipient_ref = ANY($1::text[]) ORDER BY requested_at DESC LIMIT $2",
            inboxes(principal),
            limit,
        )
        await audit_list(conn, principal, Action.MESSAGE_READ, "message", [str(row["notification_id"]) for row in rows], scopes)
    return {"items": [_item(row, with_text=True) for row in rows]}


def inboxes(principal: Principal) -> list[str]:
    """The recipient references the caller reads: themselves, and the hub's or their team's inbox."""
    mine = [principal.subject] + ([str(principal.staff_id)] if principal.staff_id else [])
    if principal.has(Role.HUB_CALL_HANDLER) or principal.has(Role.HUB_CLINICIAN):
        mine.append(HUB_INBOX)
    if principal.has(Role.COORDINATOR) and principal.team:
        mine.append(team_inbox(principal.team))
    return mine


EPISODE_VISIBILITY = {
    Scope.TEAM: "m.episode_id IN (SELECT episode_id FROM episode_access WHERE team = {})",
    Scope.ASSIGNED: "m.episode_id IN (SELECT episode_id FROM episode_staff WHERE staff_id = {})",
    Scope.PRACTICE: "m.episode_id IN (SELECT episode_id FROM episode_patients WHERE gp_practice_code = {})",
}


async def _episode_messages(request: Request, principal: Principal, episode_id: UUID, limit: int) -> dict[str, Any]:
    record_scopes = scopes_for(principal, Action.REFERRAL_READ)
    auditing = bool(scopes_for(principal, Action.AUDIT_READ))
    if not record_scopes and not auditing:
        raise HTTPException(status_code=403, detail="your role may not read who was told what")
    if record_scopes:
        visible, params = scope_filter(principal, record_scopes, 3, EPISODE_VISIBILITY)
        purpose = ", ".join(sorted(PURPOSES[scope] for scope in record_scopes))
    else:
        visible, params, purpose = "true", [], "audit review"
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"SELECT * FROM messages m WHERE m.episode_id = $1 AND {visible} ORDER BY m.requested_at LIMIT $2",
            episode_id,
            limit,
            *params,
        )
        shown = [str(row["notification_id"]) for row in rows]
        await audit.record(conn, principal, Action.MESSAGE_READ.value, "episode-messages", [str(episode_id), *shown], purpose)
    return {"items": [_item(row, with_text=bool(record_scopes)) for row in rows]}


def _item(row: asyncpg.Record, with_text: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "notification_id": str(row["notification_id"]),
        "episode_id": str(row["episode_id"]),
        "audience": row["audience"],
        "channel": row["channel"],
        "recipient_ref": row["recipient_ref"],
        "template": row["template"],
        "urgent": row["urgent"],
        "status": row["status"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "trigger_event_id": row["trigger_event_id"],
        "requested_at": row["requested_at"].isoformat(),
        "delivered_at": row["delivered_at"].isoformat() if row["delivered_at"] else None,
    }
    if with_text:
        item["subject"] = row["subject"]
        item["body"] = row["body"]
    return item


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
