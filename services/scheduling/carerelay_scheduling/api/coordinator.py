"""The coordinator's API: today's plan per staff member, unallocated visits with the reason, visits at
risk of missing their deadline; and the levers: pin a visit to someone (drag-to-reassign), record an
absence (a call-in sick), plan a day, agree a care plan. Each lever re-plans at once and publishes
only the changes. Reads follow the access matrix (`visit.read`), levers need `plan.manage`; all audited.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4, uuid5

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, Scope
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_contract.episode import CarePlanAgreed
from carerelay_contract.model import FreeText
from carerelay_contract.parts import RecurringVisit
from carerelay_contract.visit import VisitAssigned
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of

from ..domain.first_response import disciplines_for
from ..domain.rota import LONDON, staff_on_shift
from ..planning.replanning import CaseEmitter, PlanRun, replan, rolling_window
from ..settings import SchedulingSettings
from ..store.visibility import visit_filter

router = APIRouter(prefix="/api/scheduling", tags=["coordinator"])

PLANNING_DAY_STARTS = time(7, 0)
"""A planning day runs 07:00 to 07:00 local, so night shifts are not cut in two."""
AT_RISK_WITHIN = timedelta(minutes=30)
CARE_PLAN_KEYS = UUID("0b7d5a52-3c1e-4f57-9d0e-2a8c7f7d2c11")


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


def planning_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, PLANNING_DAY_STARTS, LONDON)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def invalid(field: str, reason: str) -> RequestValidationError:
    """A 422 in the system's format (which field, why), for checks only the database can make."""
    return RequestValidationError([{"loc": ("body", field), "msg": reason, "type": "value_error"}])


def _run(run: PlanRun) -> dict[str, Any]:
    return {
        "run_id": str(run.run_id),
        "trigger": run.trigger,
        "window": {"start": run.window[0].isoformat(), "end": run.window[1].isoformat()},
        "visits": run.visits,
        "assigned": run.assigned,
        "unassigned": run.unassigned,
        "changes": run.changes,
        "solve_seconds": round(run.solve_seconds, 3),
    }


@router.get("/plan", summary="A day's plan: each person's visits, unallocated visits and visits at risk")
async def day_plan(request: Request, principal: CurrentPrincipal, day: date | None = None) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.VISIT_READ)
    now = datetime.now(UTC)
    day = day or (now - timedelta(hours=7)).astimezone(LONDON).date()
    window = planning_day(day)
    visible, params = visit_filter(principal, scopes, first_param=3)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"""
            SELECT v.*, u.reason AS unassigned_reason, e.given_name, e.family_name, e.postcode
            FROM visits v LEFT JOIN unassigned_visits u USING (visit_id) LEFT JOIN episodes e USING (episode_id)
            LEFT JOIN staff s ON s.staff_id = v.staff_id
            WHERE v.status <> 'cancelled' AND coalesce(v.planned_start, v.earliest_start) < $2
              AND coalesce(v.planned_start, v.latest_start) >= $1 AND {visible}
            ORDER BY v.planned_start NULLS LAST, v.earliest_start
            """,
            *window,
            *params,
        )
        staff = await _staff_for(conn, principal, scopes, window)
        runs = await conn.fetch("SELECT * FROM plan_runs ORDER BY started_at DESC LIMIT 5")
        await audit_list(conn, principal, Action.VISIT_READ, "visit", [str(row["visit_id"]) for row in rows], scopes)
    by_staff: dict[UUID, list[dict[str, Any]]] = {member["staff_id"]: [] for member in staff}
    unallocated, at_risk = [], []
    for row in rows:
        visit = _visit(row, now)
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
        "runs": [
            {
                "trigger": run["trigger"],
                "started_at": run["started_at"].isoformat(),
                "visits": run["visits"],
                "changes": run["changes"],
                "unassigned": run["unassigned"],
                "solve_seconds": round(run["solve_seconds"], 3),
            }
            for run in runs
        ],
    }


async def _staff_for(
    conn: DbConnection, principal: Principal, scopes: set[Scope], window: tuple[datetime, datetime]
) -> list[dict[str, Any]]:
    """The people on shift in the window that the caller may plan for (a coordinator: their team)."""
    on_shift = {member.staff_id: member for member in await staff_on_shift(conn, window)}
    rows = await conn.fetch(
        "SELECT staff_id, display_name, discipline, team, skills FROM staff WHERE active ORDER BY team, display_name"
    )
    team_only = Scope.ALL not in scopes and Scope.TEAM in scopes
    people = []
    for row in rows:
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


def _visit(row: Any, now: datetime) -> dict[str, Any]:
    deadline = row["deadline"] or row["latest_start"]
    late = row["planned_start"] is not None and row["planned_start"] > row["latest_start"]
    unplaced_and_due = row["status"] == "planned" and deadline - now < AT_RISK_WITHIN + timedelta(hours=2 if row["urgent"] else 0)
    return {
        "visit_id": str(row["visit_id"]),
        "episode_id": str(row["episode_id"]),
        "person": f"{row['given_name']} {row['family_name']}" if row["given_name"] else None,
        "postcode": row["postcode"],
        "purpose": row["purpose"],
        "discipline": row["discipline"],
        "status": row["status"],
        "staff_id": str(row["staff_id"]) if row["staff_id"] else None,
        "second_staff_id": str(row["second_staff_id"]) if row["second_staff_id"] else None,
        "planned_start": row["planned_start"].isoformat() if row["planned_start"] else None,
        "earliest_start": row["earliest_start"].isoformat(),
        "latest_start": row["latest_start"].isoformat(),
        "preferred_start": row["preferred_start"].isoformat() if row["preferred_start"] else None,
        "duration_minutes": row["duration_minutes"],
        "deadline": row["deadline"].isoformat() if row["deadline"] else None,
        "double_handed": row["double_handed"],
        "required_skills": list(row["required_skills"]),
        "urgent": row["urgent"],
        "pinned": row["pinned"],
        "why": list(row["why"]),
        "unassigned_reason": row["unassigned_reason"],
        "at_risk": bool(row["status"] in ("planned", "assigned") and (late or unplaced_and_due)),
    }


async def _replan_after(request: Request, conn: DbConnection, trigger: str, visit: Any | None = None) -> PlanRun:
    """Re-plan the next hours, or the planning day of `visit` when it is further ahead than that."""
    settings: SchedulingSettings = runtime_of(request).resources
    now = datetime.now(UTC)
    window = rolling_window(now, settings.replan_hours)
    if visit is not None and visit["earliest_start"] >= window[1]:
        window = planning_day((visit["earliest_start"] - timedelta(hours=7)).astimezone(LONDON).date())
    return await replan(conn, runtime_of(request).outbox, window, trigger, settings.replan_seconds, now)


async def _check_staff(conn: DbConnection, principal: Principal, scopes: set[Scope], field: str, staff_ids: list[UUID]) -> None:
    rows = await conn.fetch("SELECT staff_id, team FROM staff WHERE active AND staff_id = ANY($1::uuid[])", staff_ids)
    known = {row["staff_id"]: row["team"] for row in rows}
    for staff_id in staff_ids:
        if staff_id not in known:
            raise invalid(field, f"{staff_id} is not an active member of staff on the rota")
        if Scope.ALL not in scopes and known[staff_id] != principal.team:
            raise invalid(field, f"{staff_id} is not in your team")


async def _check_can_make(conn: DbConnection, visit: Any, staff_ids: list[UUID]) -> None:
    """A pin is the coordinator's choice of person, not of the visit's needs: the discipline and the
    skills it needs still hold (the planner would otherwise leave it stuck with someone who cannot)."""
    rows = await conn.fetch(
        "SELECT staff_id, display_name, discipline, skills FROM staff WHERE staff_id = ANY($1::uuid[])", staff_ids
    )
    disciplines = disciplines_for(visit["discipline"], visit["purpose"])
    needed = set(visit["required_skills"]) | ({"double-handed-moving"} if visit["double_handed"] else set())
    for row in rows:
        if row["discipline"] not in disciplines:
            raise invalid("staff_ids", f"{row['display_name']} is not a {' or '.join(sorted(disciplines))}")
        missing = needed - set(row["skills"])
        if missing:
            raise invalid("staff_ids", f"{row['display_name']} does not have the skill {', '.join(sorted(missing))}")


@router.post("/visits/{visit_id}/pin", summary="Pin a visit to someone (drag-to-reassign); the day re-plans around it")
async def pin_visit(request: Request, principal: CurrentPrincipal, visit_id: UUID, body: Pin) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    if len(set(body.staff_ids)) != len(body.staff_ids):
        raise invalid("staff_ids", "the same person is named twice")
    visible, params = visit_filter(principal, scopes, first_param=2)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            f"""
            SELECT v.* FROM visits v LEFT JOIN staff s ON s.staff_id = v.staff_id
            WHERE v.visit_id = $1 AND {visible} FOR UPDATE OF v
            """,
            visit_id,
            *params,
        )
        if row is None:
            raise HTTPException(status_code=404, detail="not found")
        if row["status"] not in ("planned", "assigned"):
            raise HTTPException(status_code=409, detail=f"the visit is {row['status']} and can no longer be moved")
        if len(body.staff_ids) != (2 if row["double_handed"] else 1):
            raise invalid("staff_ids", "a double-handed visit needs two people" if row["double_handed"] else "name one person")
        await _check_staff(conn, principal, scopes, "staff_ids", body.staff_ids)
        await _check_can_make(conn, row, body.staff_ids)
        await conn.execute(
            """
            UPDATE visits SET pinned = true, staff_id = $2, second_staff_id = $3,
                              status = CASE WHEN planned_start IS NULL THEN status ELSE 'assigned' END,
                              why = ARRAY['pinned by the coordinator']
            WHERE visit_id = $1
            """,
            visit_id,
            body.staff_ids[0],
            body.staff_ids[1] if len(body.staff_ids) > 1 else None,
        )
        emitter = CaseEmitter(conn, runtime_of(request).outbox)
        if row["planned_start"] is not None:  # a move: the new people are told now; the re-plan may refine the time
            await conn.execute("DELETE FROM unassigned_visits WHERE visit_id = $1", visit_id)
            for staff_id in body.staff_ids:
                await emitter.emit(
                    VisitAssigned(
                        episode_id=row["episode_id"],
                        visit_id=visit_id,
                        staff_id=staff_id,
                        planned_start=row["planned_start"],
                        pinned=True,
                        why=["pinned by the coordinator"],
                    )
                )
        run = await _replan_after(request, conn, "visit pinned by coordinator", row)
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "visit", [str(visit_id)], "pinned by coordinator")
        after = await conn.fetchrow(
            """
            SELECT v.*, u.reason AS unassigned_reason, e.given_name, e.family_name, e.postcode FROM visits v
            LEFT JOIN unassigned_visits u USING (visit_id) LEFT JOIN episodes e USING (episode_id) WHERE v.visit_id = $1
            """,
            visit_id,
        )
    return {"visit": _visit(after, datetime.now(UTC)), "run": _run(run)}


@router.delete("/visits/{visit_id}/pin", summary="Unpin a visit: the planner may move it again")
async def unpin_visit(request: Request, principal: CurrentPrincipal, visit_id: UUID) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    visible, params = visit_filter(principal, scopes, first_param=2)
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        updated = await conn.fetchval(
            f"""
            UPDATE visits v SET pinned = false FROM visits v2 LEFT JOIN staff s ON s.staff_id = v2.staff_id
            WHERE v.visit_id = $1 AND v2.visit_id = v.visit_id AND {visible} RETURNING true
            """,
            visit_id,
            *params,
        )
        if not updated:
            raise HTTPException(status_code=404, detail="not found")
        run = await _replan_after(request, conn, "visit unpinned by coordinator")
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "visit", [str(visit_id)], "unpinned by coordinator")
    return {"run": _run(run)}


@router.post("/absences", status_code=201, summary="Record an absence (e.g. called in sick); the day re-plans without them")
async def record_absence(request: Request, principal: CurrentPrincipal, body: Absence) -> dict[str, Any]:
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    absence_id = uuid4()
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        await _check_staff(conn, principal, scopes, "staff_id", [body.staff_id])
        await conn.execute(
            "INSERT INTO absences (absence_id, staff_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5)",
            absence_id,
            body.staff_id,
            body.starts_at,
            body.ends_at,
            body.reason,
        )
        # The absent person's visits in the absence go back to the planner (pins included).
        await conn.execute(
            """
            UPDATE visits SET pinned = false WHERE status = 'assigned' AND (staff_id = $1 OR second_staff_id = $1)
              AND planned_start < $3 AND planned_start + make_interval(mins => duration_minutes) > $2
            """,
            body.staff_id,
            body.starts_at,
            body.ends_at,
        )
        run = await _replan_after(request, conn, "staff absence")
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "staff", [str(body.staff_id)], "absence recorded")
    return {"absence_id": str(absence_id), "run": _run(run)}


@router.post("/plans", summary="Plan a whole day (07:00 to 07:00), e.g. tomorrow's")
async def plan_a_day(request: Request, principal: CurrentPrincipal, body: DayPlanRequest) -> dict[str, Any]:
    allowed_scopes(principal, Action.PLAN_MANAGE)
    today = datetime.now(UTC).astimezone(LONDON).date()
    if not today - timedelta(days=1) <= body.day <= today + timedelta(days=14):
        raise invalid("day", "a day from yesterday to two weeks ahead")
    settings: SchedulingSettings = runtime_of(request).resources
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        run = await replan(
            conn, runtime_of(request).outbox, planning_day(body.day), f"day plan {body.day}", settings.day_plan_seconds
        )
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "plan", [body.day.isoformat()], "day planned")
    return {"run": _run(run)}


@router.post("/care-plans", status_code=202, summary="Agree a care plan: its visits are made and planned")
async def agree_care_plan(
    request: Request,
    principal: CurrentPrincipal,
    body: CarePlanRequest,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """With an `Idempotency-Key`, a repeat agrees the same plan (same id), changing nothing."""
    scopes = allowed_scopes(principal, Action.PLAN_MANAGE)
    care_plan_id = uuid5(CARE_PLAN_KEYS, idempotency_key) if idempotency_key else uuid4()
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        team = await conn.fetchrow("SELECT team FROM episodes WHERE episode_id = $1", body.episode_id)
        if team is None or (Scope.ALL not in scopes and team["team"] != principal.team):
            raise invalid("episode_id", "no open episode of yours has this id")
        await _check_staff(conn, principal, {Scope.ALL}, "agreed_by_staff_id", [body.agreed_by_staff_id])
        event = CarePlanAgreed(
            episode_id=body.episode_id,
            care_plan_id=care_plan_id,
            agreed_at=datetime.now(UTC),
            agreed_by_staff_id=body.agreed_by_staff_id,
            visits=body.visits,
            declined=body.declined,
        )
        await CaseEmitter(conn, runtime_of(request).outbox).emit(event)
        await audit.record(conn, principal, Action.PLAN_MANAGE.value, "care-plan", [str(care_plan_id)], "care plan agreed")
    return {"care_plan_id": str(care_plan_id)}
