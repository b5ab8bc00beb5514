"""The coordinator's API: a day's plan per staff member, unallocated visits with the reason, visits at
risk of missing their deadline; and the levers: pin a visit to someone (drag-to-reassign), record an
absence (a call-in sick), plan a day, agree a care plan. Each lever re-plans at once and publishes
only the changes. Reads follow the access matrix (`visit.read`), levers need `plan.manage`; all audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, Scope
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_contract.episode import CarePlanAgreed
from carerelay_contract.model import FreeText
from carerelay_contract.parts import RecurringVisit
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of
from carerelay_service.deps import IdempotencyKey
from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.problems import conflict, invalid

from ..domain.day_plan import may_plan, planning_day, planning_day_of
from ..domain.live_plan import pinned_events
from ..domain.pins import why_cannot_make, why_named_twice, why_not_movable, why_wrong_number
from ..planning.case_events import CaseEvents
from ..planning.replanning import replan, replan_for_lever
from ..planning.staffing import staff_on_shift
from ..settings import SchedulingSettings
from ..store import episodes, plans, rota, visits
from .views import plan_run, planned_visit, recorded_run

router = APIRouter(prefix="/api/scheduling", tags=["coordinator"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Pin(Strict):
    staff_ids: Annotated[list[UUID], Field(min_length=1, max_length=2)]
    """Who makes the visit: one person, or two for a double-handed visit."""


class Absence(Strict):
    staff_id: UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Annotated[str, Field(min_length=1, max_length=200)]

    @field_validator("ends_at")
    @classmethod
    def _ends_after_it_starts(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at <= starts_at:
            raise ValueError("must be after starts_at")
        return ends_at


class DayPlanRequest(Strict):
    day: date


class CarePlanRequest(Strict):
    episode_id: UUID
    agreed_by_staff_id: UUID
    """The clinician who agreed the plan with the person."""
    visits: Annotated[list[RecurringVisit], Field(min_length=1, max_length=10)]
    declined: list[FreeText] = []


def _settings(request: Request) -> SchedulingSettings:
    settings: SchedulingSettings = runtime_of(request).resources
    return settings


@router.get("/plan", summary="A day's plan: each person's visits, unallocated visits and visits at risk")
async def day_plan(request: Request, principal: CurrentPrincipal, day: date | None = None) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.VISIT_READ)
    now = datetime.now(UTC)
    day = day or planning_day_of(now)
    window = planning_day(day)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await visits.of_the_day(conn, principal, scopes, window)
        staff = await _staff_for(conn, principal, scopes, window)
        runs = await plans.latest_runs(conn)
        await audit_list(conn, principal, Action.VISIT_READ, "visit", [str(row["visit_id"]) for row in rows], scopes)
    by_staff: dict[UUID, list[dict[str, Any]]] = {member["staff_id"]: [] for member in staff}
    unallocated, at_risk = [], []
    for row in rows:
        visit = planned_visit(row, now)
        for staff_id in (row["staff_id"], row["second_staff_id"]):
            if staff_id is not None and staff_id in by_staff:
                by_staff[staff_id].append(visit)
        if row["status"] == "planned":
            unallocated.append(visit)
        if visit["at_risk"]:
            at_risk.append(visit)
    return {
        "day": day.isoformat(),
        "window": {"start": window[0].isoformat(), "end": window[1].isoformat()},
        "staff": [{**member, "staff_id": str(member["staff_id"]), "visits": by_staff[member["staff_id"]]} for member in staff],
        "unallocated": unallocated,
        "at_risk": at_risk,
        "runs": [recorded_run(run) for run in runs],
    }


async def _staff_for(
    conn: DbConnection, principal: Principal, scopes: set[Scope], window: tuple[datetime, datetime]
) -> list[dict[str, Any]]:
    """The people on shift in the window that the caller may plan for (a coordinator: their team)."""
    on_shift = {each.member.staff_id: each.member for each in await staff_on_shift(conn, window)}
    team_only = Scope.ALL not in scopes and Scope.TEAM in scopes
    people = []
    for row in await rota.by_team(conn):
        member = on_shift.get(row["staff_id"])
        if member is None or (team_only and row["team"] != principal.team):
            continue
        people.append(
            {
                "staff_id": row["staff_id"],
                "display_name": row["display_name"],
                "discipline": row["discipline"],
                "team": row["team"],
                "skills": list(row["skills"]),
                "shift": {"start": member.shift.start.isoformat(), "end": member.shift.end.isoformat()},
            }
        )
    return people


async def _check_staff(
    conn: DbConnection, principal: Principal, scopes: set[Scope], field: str, staff_ids: Sequence[UUID]
) -> None:
    """422 unless each is active on the rota and (for a coordinator) in the caller's team."""
    teams = await rota.teams_of(conn, staff_ids)
    for staff_id in staff_ids:
        if staff_id not in teams:
            raise invalid(((field,), f"{staff_id} is not an active member of staff on the rota"))
        if Scope.ALL not in scopes and teams[staff_id] != principal.team:
            raise invalid(((field,), f"{staff_id} is not in your team"))


@router.post("/visits/{visit_id}/pin", summary="Pin a visit to someone (drag-to-reassign); the day re-plans around it")
async def pin_visit(request: Request, principal: CurrentPrincipal, visit_id: UUID, body: Pin) -> Any:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    twice = why_named_twice(body.staff_ids)
    if twice is not None:
        raise invalid((("staff_ids",), twice))
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        row = await visits.to_move(conn, principal, scopes, visit_id)
        if row is None:
            raise HTTPException(status_code=404, detail="not found")
        stuck = why_not_movable(row["status"])
        if stuck is not None:
            return conflict(stuck, "state", status=row["status"])
        wrong = why_wrong_number(body.staff_ids, row["double_handed"])
        if wrong is not None:
            raise invalid((("staff_ids",), wrong))
        await _check_staff(conn, principal, scopes, "staff_ids", body.staff_ids)
        for colleague in await rota.colleagues(conn, body.staff_ids):
            cannot = why_cannot_make(colleague, row["discipline"], row["purpose"], row["required_skills"], row["double_handed"])
            if cannot is not None:
                raise invalid((("staff_ids",), cannot))
        await visits.pin(conn, visit_id, body.staff_ids)
        if row["planned_start"] is not None:  # a move: the new people are told now; the re-plan may refine the time
            await visits.clear_unassigned(conn, visit_id)
            cases = CaseEvents(conn, runtime.outbox)
            for event in pinned_events(visit_id, row["episode_id"], body.staff_ids, row["planned_start"]):
                await cases.emit(event)
        run = await replan_for_lever(
            conn, runtime.outbox, _settings(request), "visit pinned by coordinator", row["earliest_start"]
        )
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "visit", [str(visit_id)], "pinned by coordinator")
        after = await visits.one_of_the_day(conn, visit_id)
    return {"visit": planned_visit(after, datetime.now(UTC)), "run": plan_run(run)}


@router.delete("/visits/{visit_id}/pin", summary="Unpin a visit: the planner may move it again")
async def unpin_visit(request: Request, principal: CurrentPrincipal, visit_id: UUID) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        if not await visits.unpin(conn, principal, scopes, visit_id):
            raise HTTPException(status_code=404, detail="not found")
        run = await replan_for_lever(conn, runtime.outbox, _settings(request), "visit unpinned by coordinator")
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "visit", [str(visit_id)], "unpinned by coordinator")
    return {"run": plan_run(run)}


@router.post("/absences", status_code=201, summary="Record an absence (e.g. called in sick); the day re-plans without them")
async def record_absence(request: Request, principal: CurrentPrincipal, body: Absence) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    absence_id = uuid4()
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        await _check_staff(conn, principal, scopes, "staff_id", [body.staff_id])
        await rota.add_absence(conn, absence_id, body.staff_id, body.starts_at, body.ends_at, body.reason)
        await visits.release_pins_in(conn, body.staff_id, body.starts_at, body.ends_at)
        run = await replan_for_lever(conn, runtime.outbox, _settings(request), "staff absence")
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "staff", [str(body.staff_id)], "absence recorded")
    return {"absence_id": str(absence_id), "run": plan_run(run)}


@router.post("/plans", summary="Plan a whole day (07:00 to 07:00), e.g. tomorrow's")
async def plan_a_day(request: Request, principal: CurrentPrincipal, body: DayPlanRequest) -> dict[str, Any]:
    allowed_scopes(principal, Action.PLAN_MANAGE)
    if not may_plan(body.day, datetime.now(UTC)):
        raise invalid((("day",), "a day from yesterday to two weeks ahead"))
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn, conn.transaction():
        window = planning_day(body.day)
        run = await replan(
            conn, runtime.outbox, window, f"day plan {body.day}", _settings(request).day_plan_seconds, whole_day=True
        )
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "plan", [body.day.isoformat()], "day planned")
    return {"run": plan_run(run)}


@router.post("/care-plans", status_code=202, summary="Agree a care plan: its visits are made and planned")
async def agree_care_plan(
    request: Request, principal: CurrentPrincipal, body: CarePlanRequest, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """With an `Idempotency-Key`, a repeat returns the plan agreed the first time and changes nothing."""
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    runtime = runtime_of(request)
    once = (
        IdempotentRequest(idempotency_key, principal.subject, "care-plan.agree", str(body.episode_id))
        if idempotency_key
        else None
    )
    async with runtime.pool.acquire() as conn, conn.transaction():
        earlier = await replay(conn, once) if once else None
        if earlier is not None:
            return earlier
        known, team = await episodes.team_of(conn, body.episode_id)
        if not known or (Scope.ALL not in scopes and team != principal.team):
            raise invalid((("episode_id",), "no open episode of yours has this id"))
        await _check_staff(conn, principal, {Scope.ALL}, "agreed_by_staff_id", [body.agreed_by_staff_id])
        care_plan_id = uuid4()
        event = CarePlanAgreed(
            episode_id=body.episode_id,
            care_plan_id=care_plan_id,
            agreed_at=datetime.now(UTC),
            agreed_by_staff_id=body.agreed_by_staff_id,
            visits=body.visits,
            declined=body.declined,
        )
        await CaseEvents(conn, runtime.outbox).emit(event)
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "care-plan", [str(care_plan_id)], "care plan agreed")
        result = {"care_plan_id": str(care_plan_id)}
        if once is not None:
            await remember(conn, once, result)
    return result
