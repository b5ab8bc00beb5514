"""`GET /api/notifications/messages`: the signed-in person's own messages (and their team's or the
hub's inbox), or the audit of who was told what in an episode."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, Scope, scopes_for
from carerelay_access.roles import Role
from carerelay_access.web import PURPOSES, CurrentPrincipal, allowed_scopes, audit_list
from carerelay_service.deps import Pool

from ..domain.messages import HUB_INBOX, Message, team_inbox
from ..store import messages

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("/messages", summary="My messages (and my team's or the hub's inbox), or who was told what in an episode")
async def list_messages(
    pool: Pool,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    episode_id: Annotated[UUID | None, Query(description="the audit of one episode: every message, to anyone")] = None,
) -> dict[str, Any]:
    """Without `episode_id`: the caller's own messages, newest first (hub roles also see the hub's
    inbox, a coordinator their team's). With it: every message of that episode, oldest first, to
    those who may read the person's record (the hub; the team's coordinator; assigned staff; the
    registered GP) or to the auditor (without the message text). Audited either way."""
    if episode_id is not None:
        return await _episode_messages(pool, principal, episode_id, limit)
    scopes = allowed_scopes(principal, Action.MESSAGE_READ)
    async with pool.acquire() as conn, conn.transaction():
        found = await messages.for_recipients(conn, inboxes(principal), limit)
        await audit_list(conn, principal, Action.MESSAGE_READ, "message", [str(m.notification_id) for m in found], scopes)
    return {"items": [_item(message, with_text=True) for message in found]}


def inboxes(principal: Principal) -> list[str]:
    """The recipient references the caller reads: themselves, and the hub's or their team's inbox."""
    mine = [principal.subject] + ([str(principal.staff_id)] if principal.staff_id else [])
    if principal.has(Role.HUB_CALL_HANDLER) or principal.has(Role.HUB_CLINICIAN):
        mine.append(HUB_INBOX)
    if principal.has(Role.COORDINATOR) and principal.team:
        mine.append(team_inbox(principal.team))
    return mine


async def _episode_messages(pool: Pool, principal: Principal, episode_id: UUID, limit: int) -> dict[str, Any]:
    record_scopes = scopes_for(principal, Action.REFERRAL_READ)
    auditing = bool(scopes_for(principal, Action.AUDIT_READ))
    if not record_scopes and not auditing:
        raise HTTPException(status_code=403, detail="your role may not read who was told what")
    if record_scopes:
        scopes, purpose = record_scopes, ", ".join(sorted(PURPOSES[scope] for scope in record_scopes))
    else:
        scopes, purpose = {Scope.ALL}, "audit review"  # the auditor: every episode, without the texts
    async with pool.acquire() as conn, conn.transaction():
        found = await messages.of_episode(conn, episode_id, principal, scopes, limit)
        shown = [str(message.notification_id) for message in found]
        await audit.record(conn, principal, Action.MESSAGE_READ.value, "episode-messages", [str(episode_id), *shown], purpose)
    return {"items": [_item(message, with_text=bool(record_scopes)) for message in found]}


def _item(message: Message, with_text: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "notification_id": str(message.notification_id),
        "episode_id": str(message.episode_id),
        "audience": message.audience.value,
        "channel": message.channel.value,
        "recipient_ref": message.recipient_ref,
        "template": message.template,
        "urgent": message.urgent,
        "status": message.status.value,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "trigger_event_id": message.trigger_event_id,
        "requested_at": message.requested_at.isoformat(),
        "delivered_at": message.delivered_at.isoformat() if message.delivered_at else None,
    }
    if with_text:
        item["subject"] = message.subject
        item["body"] = message.body
    return item
