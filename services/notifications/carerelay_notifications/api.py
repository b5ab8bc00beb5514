"""The notifications API: the signed-in person's own messages (live streams arrive with issue 8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_events.service import runtime_of

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
