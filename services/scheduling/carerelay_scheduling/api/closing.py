"""Closing an episode with its outcome (`episode.close`): a hub clinician (whose sign-in may name no
staff member: they close it by name), or a field clinician who holds one of its visits. From a
discharge recommendation (`recommendation_id`) or directly (`outcome`). In one transaction: the
closure (once), a `visit.cancelled` for each visit not yet under way, then `episode.closed` (the hub's
board, the GP's discharge summary, the person's message, the end of the access the episode gave).
An `Idempotency-Key` makes a retry answer the first closing; 404 outside the caller's relationship
(audited as denied), 409 once closed or never accepted, 422 naming the field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response

from carerelay_access import audit
from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes, authorise, enforce
from carerelay_events.case import emit
from carerelay_service.app import runtime_of
from carerelay_service.deps import IdempotencyKey
from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.problems import conflict, invalid

from ..domain.actions.bodies import EpisodeClosure
from ..domain.actions.episode import closing
from ..domain.actions.outcome import Conflict, Invalid
from ..store import episodes, visits
from ..store import field_records as records

router = APIRouter(prefix="/api/scheduling", tags=["episodes"])


@router.post("/episodes/{episode_id}/close", summary="Close the episode with its outcome; its open visits are cancelled")
async def close_episode(
    episode_id: UUID,
    body: EpisodeClosure,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    allowed_scopes(principal, Action.EPISODE_CLOSE)
    runtime = runtime_of(request)
    once = IdempotentRequest(idempotency_key, principal.subject, "episode.close", str(episode_id)) if idempotency_key else None
    async with runtime.pool.acquire() as conn, conn.transaction():
        earlier = await replay(conn, once) if once else None
        if earlier is not None:
            response.headers["Idempotent-Replayed"] = "true"
            return earlier
        facts = await visits.episode_facts(conn, episode_id)
        if facts is None:
            raise HTTPException(status_code=404, detail="not found")
        decision = await authorise(request, conn, principal, Action.EPISODE_CLOSE, facts, "episode", str(episode_id))
        if decision.allowed:
            at = body.taken_at()
            try:
                outcome = closing(
                    await records.episode(conn, episode_id, closing=True), body, principal.staff_id, principal.name, at
                )
            except Conflict as refused:
                return conflict(f"Not closed: {refused.reason}.", "state")
            except Invalid as problem:
                raise invalid(((problem.field,), problem.reason)) from None
            await records.write_episode_change(conn, episode_id, outcome.change)
            case = await episodes.case_of(conn, episode_id)
            for event in outcome.events:
                await emit(conn, runtime.outbox, case, event, span="episode.close")
            await audit.record(conn, principal, Action.EPISODE_CLOSE.value, "episode", [str(episode_id)], "episode closed")
            result = {"episode_id": str(episode_id), "recorded_at": at.isoformat(), **outcome.answer}
            if once is not None:
                await remember(conn, once, result)
    enforce(decision)  # after the commit, so a denied attempt stays on the audit trail
    return result
