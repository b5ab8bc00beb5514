"""The notifications API: a recipient's messages (live streams arrive with issue 8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from carerelay_events.service import runtime_of

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("/messages", summary="Messages for one recipient, newest first")
async def list_messages(
    request: Request,
    recipient: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT * FROM messages WHERE recipient_ref = $1 ORDER BY requested_at DESC LIMIT $2", recipient, limit
        )
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
