"""Proposed care plan changes, for the coordinator (their team's people) and hub clinicians (everyone):
the proposals waiting, and each one agreed (`care-plan.updated`: scheduling's own handler makes the
visits again from now on) or declined with a reason (`care-plan.change-declined`: the proposer is told).
`plan.manage`; each decision once (409 after), audited; an `Idempotency-Key` makes a retry safe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, Scope
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_contract.model import Event, FreeText
from carerelay_contract.parts import RecurringVisit
from carerelay_service.app import runtime_of
from carerelay_service.deps import IdempotencyKey
from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.problems import conflict, invalid

from ..domain import care_plan_changes as changes
from ..domain.actions.outcome import Conflict, Decision, Invalid, Proposal
from ..planning.case_events import CaseEvents
from ..store import care_plan_changes as proposals
from ..store import episodes

router = APIRouter(prefix="/api/scheduling", tags=["coordinator"])

Decide = Callable[[Proposal, changes.Decider, datetime, bool], Event]
"""The decision on the proposal (by whom, when, whether its episode is closed): its event, or Conflict / Invalid."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Agreement(Strict):
    """Agree the change as proposed, or as the coordinator makes it (`visits`, `declined`)."""

    visits: Annotated[list[RecurringVisit], Field(min_length=1, max_length=12)] | None = None
    declined: Annotated[list[FreeText], Field(max_length=12)] | None = None


class Refusal(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


def _shown(found: proposals.Waiting) -> dict[str, Any]:
    proposal = found.proposal
    return {
        "proposal_id": str(proposal.proposal_id),
        "episode_id": str(proposal.episode_id),
        "person": found.person,
        "care_plan_id": str(proposal.care_plan_id) if proposal.care_plan_id else None,
        "team": found.team,
        "reason": proposal.reason,
        "visits": [line.model_dump(mode="json") for line in proposal.visits],
        "declined": list(proposal.declined),
        "proposed_at": proposal.proposed_at.isoformat(),
        "proposed_by_staff_id": str(proposal.proposed_by),
        "decision": proposal.decision.value if proposal.decision else None,
    }


@router.get("/care-plan-proposals", summary="Proposed care plan changes waiting for a decision, oldest first")
async def waiting_proposals(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    if Scope.ALL not in scopes and principal.team is None:
        return {"items": []}
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        found = await proposals.waiting(conn, None if Scope.ALL in scopes else principal.team)
        shown = [str(item.proposal.episode_id) for item in found]
        await audit_list(conn, principal, Action.PLAN_MANAGE, "care-plan-proposal", shown, scopes)
    return {"items": [_shown(item) for item in found]}


@router.post("/care-plan-proposals/{proposal_id}/agree", summary="Agree a proposed change: the plan's visits are made again")
async def agree_proposal(
    proposal_id: UUID, body: Agreement, request: Request, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> Any:
    """409 once decided, or when the episode is closed; 422 when neither the proposal nor the body names visits."""

    def decided(proposal: Proposal, by: changes.Decider, at: datetime, closed: bool) -> Event:
        return changes.agree(proposal, by, at, visits=body.visits, declined=body.declined, episode_closed=closed)

    return await _decide(request, principal, proposal_id, Decision.AGREED, "", idempotency_key, decided)


@router.post(
    "/care-plan-proposals/{proposal_id}/decline", summary="Decline a proposed change with a reason; the proposer is told"
)
async def decline_proposal(
    proposal_id: UUID, body: Refusal, request: Request, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> Any:
    def decided(proposal: Proposal, by: changes.Decider, at: datetime, closed: bool) -> Event:
        return changes.decline(proposal, by, at, body.reason, episode_closed=closed)

    return await _decide(request, principal, proposal_id, Decision.DECLINED, body.reason, idempotency_key, decided)


async def _decide(
    request: Request,
    principal: Principal,
    proposal_id: UUID,
    decision: Decision,
    reason: str,
    key: str | None,
    decided: Decide,
) -> Any:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    runtime = runtime_of(request)
    once = IdempotentRequest(key, principal.subject, f"care-plan-proposal.{decision.value}", str(proposal_id)) if key else None
    async with runtime.pool.acquire() as conn, conn.transaction():
        earlier = await replay(conn, once) if once else None
        if earlier is not None:
            return earlier
        found = await proposals.for_update(conn, proposal_id)
        if found is None or (Scope.ALL not in scopes and found[1] != principal.team):
            raise HTTPException(status_code=404, detail="not found")
        proposal = found[0]
        closed = await episodes.is_closed(conn, proposal.episode_id)
        by = changes.Decider(principal.staff_id, principal.name or principal.subject)
        now = datetime.now(UTC)
        try:
            event = decided(proposal, by, now, closed)
        except Conflict as refused:
            return conflict(f"Not {decision.value}: {refused.reason}.", "state", decision=proposal.decision)
        except Invalid as problem:
            raise invalid(((problem.field,), problem.reason)) from None
        await proposals.decide(conn, proposal_id, decision, now, by.name, reason)
        await CaseEvents(conn, runtime.outbox).emit(event)
        purpose = f"care plan change {decision.value}"
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "care-plan-proposal", [str(proposal_id)], purpose)
        result = {"proposal_id": str(proposal_id), "decision": decision.value, "event": event.event_type}
        if once is not None:
            await remember(conn, once, result)
    return result
