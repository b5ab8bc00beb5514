"""The one path every clinician action takes, as a FastAPI dependency (`Recorder`):

    async def en_route(visit_id: UUID, body: EnRoute, record: Recorder) -> Any:
        return await record.visit(visit_id, VisitAction.EN_ROUTE, body, visit_actions.en_route)

In one transaction: the `Idempotency-Key` (a UUID the phone made when the action was taken) through
carerelay_service.idempotency, so a repeat returns the first result (`Idempotent-Replayed: true`) and does
nothing; the access check (the caller holds the visit, or a visit of the episode), audited allowed or
denied; the visit's state (domain.visit_states); the domain's `apply`; its record changes; its events
through the outbox in the case's trace (carerelay_events.case); the action log; the audit entry.

A visit the caller's phone was shown and that has since been given to someone else answers 409
("reassigned"), so the app shows a conflict; one they never held answers 404, after the commit, so the
denied attempt stays on the audit trail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from carerelay_access import audit
from carerelay_access.matrix import Action, RecordFacts, decide
from carerelay_access.web import CurrentPrincipal, allowed_scopes
from carerelay_contract.model import Event
from carerelay_events.case import emit
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of
from carerelay_service.deps import IdempotencyKey
from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.problems import conflict, invalid

from ..domain.actions.bodies import FieldAction
from ..domain.actions.episode import still_open
from ..domain.actions.outcome import Clinician, Conflict, Episode, EpisodeOutcome, Invalid, Visit, VisitOutcome
from ..domain.visit_states import NEXT_STATUS, VisitAction, refusal
from ..store import episodes, visits
from ..store import field_records as records
from .views import my_visit

Body = TypeVar("Body", bound=FieldAction)
VisitApply = Callable[[Visit, Body, Clinician, datetime], VisitOutcome]
EpisodeApply = Callable[[Episode, Body, Clinician, datetime], EpisodeOutcome]

ASSIGNED_ACTIONS = frozenset({Action.VISIT_RECORD, Action.EPISODE_RECORD})
"""Actions taken only by those who hold a visit (the audit's purpose says so)."""

Refusal = JSONResponse | HTTPException
"""A 409 answered, or a 404 raised once the transaction (with its audit entry) has committed."""


@dataclass(frozen=True)
class Taken:
    """What an action did, for the shared tail: its events, and its own part of the answer."""

    episode_id: UUID
    visit_id: UUID | None
    events: list[Event]
    answer: dict[str, Any] = field(default_factory=dict)


class ActionRecorder:
    """The shared path of a clinician action; `visit` and `episode` are the two kinds of target."""

    def __init__(self, request: Request, response: Response, principal: CurrentPrincipal, key: IdempotencyKey = None) -> None:
        self.request = request
        self.response = response
        self.principal = principal
        self.key = key

    async def visit(self, visit_id: UUID, action: VisitAction, body: Body, apply: VisitApply[Body]) -> Any:
        """Record `action` at the visit: the caller must hold it and its state must allow the action."""

        async def take(conn: DbConnection, by: Clinician, at: datetime) -> Taken | Refusal:
            visit = await records.visit_for_update(conn, visit_id)
            if visit is None:
                raise HTTPException(status_code=404, detail="not found")
            decision = decide(self.principal, Action.VISIT_RECORD, RecordFacts(assigned_staff=visit.holders))
            if not decision.allowed:
                reassigned = await records.was_shown(conn, by.staff_id, visit_id)
                why = "reassigned to someone else" if reassigned else decision.why
                await self._denied(conn, Action.VISIT_RECORD, "visit", visit_id, why)
                if reassigned:
                    return conflict("This visit has been given to someone else. Nothing was recorded.", "reassigned", status=None)
                return HTTPException(status_code=404, detail="not found")
            why_not = refusal(action, visit.status)
            if why_not is not None:
                return conflict(f"Not recorded: {why_not}.", "state", status=visit.status)
            try:
                outcome = apply(visit, body, by, at)
            except Invalid as problem:
                raise invalid(((*problem.field.split("."),), problem.reason)) from None
            await records.write_visit_outcome(conn, visit, by.staff_id, outcome)
            if action in NEXT_STATUS:
                await records.set_status(conn, visit_id, NEXT_STATUS[action])
            view = my_visit(await records.visit_view(conn, by.staff_id, visit_id), None)
            return Taken(visit.episode_id, visit_id, outcome.events, {"visit": view, **outcome.answer})

        return await self._record(action.value, Action.VISIT_RECORD, "visit", visit_id, body, take)

    async def episode(
        self, episode_id: UUID, action: str, body: Body, apply: EpisodeApply[Body], matrix_action: Action = Action.EPISODE_RECORD
    ) -> Any:
        """Record `action` about the episode: the caller must hold one of its visits (or have a wider scope
        for `matrix_action`), and the episode must still be open."""

        async def take(conn: DbConnection, by: Clinician, at: datetime) -> Taken | Refusal:
            facts = await visits.episode_facts(conn, episode_id)
            if facts is None:
                raise HTTPException(status_code=404, detail="not found")
            decision = decide(self.principal, matrix_action, facts)
            if not decision.allowed:
                await self._denied(conn, matrix_action, "episode", episode_id, decision.why)
                return HTTPException(status_code=404, detail="not found")
            try:
                episode = await records.episode(conn, episode_id)
                still_open(episode)
                outcome = apply(episode, body, by, at)
            except Conflict as problem:
                return conflict(f"Not recorded: {problem.reason}.", "state", status=None)
            except Invalid as problem:
                raise invalid(((*problem.field.split("."),), problem.reason)) from None
            await records.write_episode_change(conn, episode_id, outcome.change)
            return Taken(episode_id, None, outcome.events, {"episode_id": str(episode_id), **outcome.answer})

        return await self._record(action, matrix_action, "episode", episode_id, body, take)

    async def _record(
        self,
        action: str,
        matrix_action: Action,
        resource: str,
        target: UUID,
        body: FieldAction,
        take: Callable[[DbConnection, Clinician, datetime], Awaitable[Taken | Refusal]],
    ) -> Any:
        allowed_scopes(self.principal, matrix_action)
        key = _key(self.key)
        if self.principal.staff_id is None:
            raise HTTPException(status_code=403, detail="your sign-in names no staff member (staff_id)")
        by = Clinician(self.principal.staff_id, self.principal.name)
        request = IdempotentRequest(str(key), made_by=str(by.staff_id), action=action, target=str(target))
        runtime = runtime_of(self.request)
        async with runtime.pool.acquire() as conn, conn.transaction():
            earlier = await replay(conn, request)
            if earlier is not None:
                self.response.headers["Idempotent-Replayed"] = "true"
                return earlier
            taken_at = body.taken_at()
            taken = await take(conn, by, taken_at)
            if isinstance(taken, Taken):
                case = await episodes.case_of(conn, taken.episode_id)
                event_ids = [await emit(conn, runtime.outbox, case, event, span=f"{resource}.{action}") for event in taken.events]
                purpose = f"assigned visit: {action}" if matrix_action in ASSIGNED_ACTIONS else action
                await audit.record(conn, self.principal, matrix_action.value, resource, [str(target)], purpose)
                result = {
                    "action": action,
                    "idempotency_key": str(key),
                    "recorded_at": taken_at.isoformat(),
                    "events": [event.event_type for event in taken.events],
                    **taken.answer,
                }
                logged = body.model_dump(mode="json")
                await records.log_action(
                    conn, key, by.staff_id, action, taken.episode_id, taken.visit_id, taken_at, logged, result, event_ids
                )
                await remember(conn, request, result)
                return result
        if isinstance(taken, HTTPException):
            raise taken  # after the commit, so the denied attempt stays on the audit trail
        return taken

    async def _denied(self, conn: DbConnection, action: Action, resource: str, target: UUID, why: str) -> None:
        await audit.record(conn, self.principal, action.value, resource, [str(target)], why, "denied")


Recorder = Annotated[ActionRecorder, Depends(ActionRecorder)]
"""The shared path of a clinician action (see the module's docstring)."""


def _key(value: str | None) -> UUID:
    if value is None:
        raise invalid((("header", "Idempotency-Key"), "required: a UUID made on the phone when the action was taken"))
    try:
        return UUID(value)
    except ValueError:
        raise invalid((("header", "Idempotency-Key"), "must be a UUID")) from None
