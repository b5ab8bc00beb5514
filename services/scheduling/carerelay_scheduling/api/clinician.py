"""The clinician app's API: my visits today, and what I record at each visit and about the episode.

Every action goes the one way of `recording.Recorder` (Idempotency-Key, access check, audit, action
log, events in the case's trace); what an action means is the domain's (domain/actions).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_service.app import runtime_of
from carerelay_service.problems import invalid

from ..domain.actions import episode as episode_actions
from ..domain.actions import visit as visit_actions
from ..domain.actions.bodies import (
    Arrived,
    AssessmentForm,
    CarePlanProposal,
    Completed,
    ConsentGiven,
    ConsentWithdrawal,
    DischargeRecommendation,
    EnRoute,
    LeadTransfer,
    Missed,
    Note,
    ObservationsTaken,
    OnwardReferral,
    RunningLate,
)
from ..domain.rota import LONDON
from ..domain.visit_states import VisitAction
from ..store import field_records as records
from .recording import Recorder
from .views import my_visit

router = APIRouter(prefix="/api/scheduling", tags=["clinician app"])

FURTHEST_DAY = 366
"""My day may be asked for up to a year either side of today."""


@router.get("/my/day", summary="My visits for the day, in planned order, with what happened last time")
async def my_day(request: Request, principal: CurrentPrincipal, day: date | None = None) -> dict[str, Any]:
    """The signed-in person's visits (alone or double-handed) for `day` (default: today, UK time), and
    any still open from before; each with the person, access notes, reason, tasks and the last visit."""
    scopes = allowed_scopes(principal, Action.VISIT_READ)
    today = datetime.now(LONDON).date()
    when = day or today
    if abs((when - today).days) > FURTHEST_DAY:
        raise invalid((("query", "day"), "must be within a year of today"))
    items: list[dict[str, Any]] = []
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await records.my_day(conn, principal.staff_id, when) if principal.staff_id else []
        finished = await records.finished_visits(conn, list({row["episode_id"] for row in rows}))
        for row in rows:
            last = next((f for f in finished if f["episode_id"] == row["episode_id"] and f["visit_id"] != row["visit_id"]), None)
            items.append(my_visit(row, last))
        if principal.staff_id is not None:
            await records.remember_shown(conn, principal.staff_id, [row["visit_id"] for row in rows])
        await audit_list(conn, principal, Action.VISIT_READ, "visit", [item["visit_id"] for item in items], scopes)
    return {
        "day": when.isoformat(),
        "staff_id": str(principal.staff_id) if principal.staff_id else None,
        "generated_at": datetime.now(UTC).isoformat(),
        "visits": items,
    }


# ---------------------------------------------------------------- the visit


@router.post("/visits/{visit_id}/en-route", summary="On my way")
async def en_route(visit_id: UUID, body: EnRoute, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.EN_ROUTE, body, visit_actions.en_route)


@router.post("/visits/{visit_id}/arrived", summary="Arrived: the visit has started")
async def arrived(visit_id: UUID, body: Arrived, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.ARRIVED, body, visit_actions.arrived)


@router.post("/visits/{visit_id}/observations", summary="NEWS2 observations: scored, with the clinical response")
async def observations(visit_id: UUID, body: ObservationsTaken, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.OBSERVATIONS, body, visit_actions.observations)


@router.post("/visits/{visit_id}/assessments", summary="An assessment form: initial, review, falls risk, Clinical Frailty Scale")
async def assessment(visit_id: UUID, body: AssessmentForm, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.ASSESSMENT, body, visit_actions.assessment)


@router.post("/visits/{visit_id}/notes", summary="A note on the visit (carried by visit.completed; no event of its own)")
async def note(visit_id: UUID, body: Note, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.NOTE, body, visit_actions.note)


@router.post("/visits/{visit_id}/running-late", summary="Running late: the person (per consent) and the hub are told")
async def running_late(visit_id: UUID, body: RunningLate, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.RUNNING_LATE, body, visit_actions.running_late)


@router.post("/visits/{visit_id}/missed", summary="Could not gain access, or missed, with the reason")
async def missed(visit_id: UUID, body: Missed, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.MISSED, body, visit_actions.missed)


@router.post("/visits/{visit_id}/complete", summary="Completed, with the tasks done, notes and any concerns")
async def complete(visit_id: UUID, body: Completed, record: Recorder) -> Any:
    return await record.visit(visit_id, VisitAction.COMPLETED, body, visit_actions.completed)


# ---------------------------------------------------------------- the episode


@router.post("/episodes/{episode_id}/consent", summary="Record consent: professional sharing or family involvement")
async def consent(episode_id: UUID, body: ConsentGiven, record: Recorder) -> Any:
    return await record.episode(episode_id, "consent", body, episode_actions.consent)


@router.post("/episodes/{episode_id}/consent-withdrawal", summary="The person withdraws consent")
async def consent_withdrawal(episode_id: UUID, body: ConsentWithdrawal, record: Recorder) -> Any:
    return await record.episode(episode_id, "consent-withdrawal", body, episode_actions.consent_withdrawal)


@router.post("/episodes/{episode_id}/care-plan-proposal", summary="Propose a change to the care plan (a coordinator agrees it)")
async def care_plan_proposal(episode_id: UUID, body: CarePlanProposal, record: Recorder) -> Any:
    return await record.episode(episode_id, "care-plan-proposal", body, episode_actions.care_plan_proposal)


@router.post("/episodes/{episode_id}/lead-transfer", summary="Hand the lead to another discipline, without a new referral")
async def lead_transfer(episode_id: UUID, body: LeadTransfer, record: Recorder) -> Any:
    return await record.episode(episode_id, "lead-transfer", body, episode_actions.lead_transfer, Action.LEAD_TRANSFER)


@router.post("/episodes/{episode_id}/onward-referral", summary="Refer on (e.g. a social care assessment)")
async def onward_referral(episode_id: UUID, body: OnwardReferral, record: Recorder) -> Any:
    return await record.episode(episode_id, "onward-referral", body, episode_actions.onward_referral)


@router.post("/episodes/{episode_id}/discharge-recommendation", summary="Recommend discharge with the outcome")
async def discharge_recommendation(episode_id: UUID, body: DischargeRecommendation, record: Recorder) -> Any:
    return await record.episode(episode_id, "discharge-recommendation", body, episode_actions.discharge_recommendation)
