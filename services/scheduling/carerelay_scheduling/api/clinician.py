"""The clinician app's API: my visits today, and what I record at each visit and about the episode.

Every action needs an `Idempotency-Key` (a UUID the phone made when the action was taken, online or
offline). The first request with a key does the action: in one transaction it checks the caller
holds the visit, writes the record and the action log, puts the catalogue event in the outbox (in
the case's trace, with its correlation id) and audits the write. A repeat with the same key returns
the first result and emits nothing. A visit given to someone else after the caller's phone was
shown it answers 409 (the app shows the conflict); a visit the caller never held answers 404.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, RecordFacts, decide
from carerelay_access.web import CurrentPrincipal, allowed_scopes, audit_list
from carerelay_clinical.news2 import News2Band, score
from carerelay_contract.episode import (
    AssessmentRecorded,
    CarePlanChangeProposed,
    ConsentRecorded,
    ConsentWithdrawn,
    DischargeRecommended,
    LeadDisciplineTransferred,
    OnwardReferralMade,
)
from carerelay_contract.model import Event
from carerelay_contract.visit import VisitCompleted, VisitEnRoute, VisitMissed, VisitRunningLate, VisitStarted
from carerelay_contract.vocabulary import AssessmentKind, LeadDiscipline
from carerelay_events.db import DbConnection
from carerelay_events.tracing import case_span
from carerelay_service.app import runtime_of

from ..domain.actions.bodies import (
    Arrived,
    AssessmentForm,
    CarePlanProposal,
    Completed,
    ConsentGiven,
    ConsentWithdrawal,
    DischargeRecommendation,
    EnRoute,
    FieldAction,
    LeadTransfer,
    Missed,
    Note,
    ObservationsTaken,
    OnwardReferral,
    RunningLate,
)
from ..domain.visit_states import NEXT_STATUS, VisitAction, refusal
from ..store import field_records as records

router = APIRouter(prefix="/api/scheduling", tags=["clinician app"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]

NEWS2_RESPONSE: dict[News2Band, str] = {
    News2Band.LOW: "Low: continue routine care",
    News2Band.LOW_MEDIUM: "One parameter scores 3: urgent review by a clinician",
    News2Band.MEDIUM: "Medium: urgent review, tell the hub clinician now",
    News2Band.HIGH: "High: emergency assessment, call 999",
}

Body = TypeVar("Body", bound=FieldAction)
Applied = tuple[list[Event], dict[str, Any]]


def _invalid(field: str, reason: str) -> RequestValidationError:
    location = ("header", field) if field == "Idempotency-Key" else ("body", *field.split("."))
    return RequestValidationError([{"loc": location, "msg": reason, "type": "value_error"}])


def _key(value: str | None) -> UUID:
    if value is None:
        raise _invalid("Idempotency-Key", "required: a UUID made on the phone when the action was taken")
    try:
        return UUID(value)
    except ValueError:
        raise _invalid("Idempotency-Key", "must be a UUID") from None


def _staff(principal: Principal) -> UUID:
    if principal.staff_id is None:
        raise HTTPException(status_code=403, detail="your sign-in names no staff member (staff_id)")
    return principal.staff_id


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _conflict(detail: str, conflict: str, status: str | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "conflict": conflict, "status": status}, status_code=409)


# ---------------------------------------------------------------- reading my day


def _last_visit(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "visit_id": str(row["visit_id"]),
        "purpose": row["purpose"],
        "by": row["display_name"],
        "finished_at": _iso(row["finished_at"]),
        "outcome": "completed" if row["completed_at"] else "missed",
        "missed_reason": row["missed_reason"],
        "tasks_done": list(row["tasks_done"]),
        "notes": list(row["notes"]),
        "concerns": row["concerns"],
        "news2": {"score": row["news2_score"], "band": row["news2_band"]} if row["news2_score"] is not None else None,
    }


def _visit(row: Any, last: Any) -> dict[str, Any]:
    person = None
    if row["given_name"] is not None:
        person = {
            "given_name": row["given_name"],
            "family_name": row["family_name"],
            "address": row["address"],
            "postcode": row["postcode"],
            "access_notes": row["access_notes"],
            "reason": row["reason"],
            "known_risks": row["known_risks"],
        }
    return {
        "visit_id": str(row["visit_id"]),
        "episode_id": str(row["episode_id"]),
        "status": row["status"],
        "purpose": row["purpose"],
        "discipline": row["discipline"],
        "lead_discipline": row["lead_discipline"],
        "planned_start": _iso(row["planned_start"]),
        "earliest_start": _iso(row["earliest_start"]),
        "latest_start": _iso(row["latest_start"]),
        "duration_minutes": row["duration_minutes"],
        "tasks": list(row["tasks"]),
        "double_handed": row["double_handed"],
        "with": row["partner"],
        "person": person,
        "record": {
            "en_route_at": _iso(row["en_route_at"]),
            "expected_arrival": _iso(row["expected_arrival"]),
            "arrived_at": _iso(row["arrived_at"]),
            "running_late_minutes": row["running_late_minutes"],
            "completed_at": _iso(row["completed_at"]),
            "missed_at": _iso(row["missed_at"]),
            "missed_reason": row["missed_reason"],
            "tasks_done": list(row["tasks_done"] or []),
            "notes": list(row["notes"] or []),
            "concerns": row["concerns"] or "",
            "news2": {"score": row["news2_score"], "band": row["news2_band"]} if row["news2_score"] is not None else None,
        },
        "last_visit": _last_visit(last),
    }


@router.get("/my/day", summary="My visits for the day, in planned order, with what happened last time")
async def my_day(request: Request, principal: CurrentPrincipal, day: date | None = None) -> dict[str, Any]:
    """The signed-in person's visits (alone or double-handed) for `day` (default: today, UK time), and
    any still open from before; each with the person, access notes, reason, tasks and the last visit."""
    scopes = allowed_scopes(principal, Action.VISIT_READ)
    today = datetime.now(records.LOCAL).date()
    when = day or today
    if abs((when - today).days) > 366:
        raise RequestValidationError([{"loc": ("query", "day"), "msg": "must be within a year of today", "type": "value_error"}])
    items: list[dict[str, Any]] = []
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        rows = await records.my_day(conn, principal.staff_id, when) if principal.staff_id else []
        finished = await records.finished_visits(conn, list({row["episode_id"] for row in rows}))
        for row in rows:
            last = next((f for f in finished if f["episode_id"] == row["episode_id"] and f["visit_id"] != row["visit_id"]), None)
            items.append(_visit(row, last))
        if principal.staff_id is not None:
            await records.remember_shown(conn, principal.staff_id, [row["visit_id"] for row in rows])
        await audit_list(conn, principal, Action.VISIT_READ, "visit", [item["visit_id"] for item in items], scopes)
    return {
        "day": when.isoformat(),
        "staff_id": str(principal.staff_id) if principal.staff_id else None,
        "generated_at": datetime.now(UTC).isoformat(),
        "visits": items,
    }


# ---------------------------------------------------------------- the shared path of every action


async def _replay_or_none(conn: DbConnection, key: UUID, staff_id: UUID, action: str, target: UUID) -> dict[str, Any] | None:
    await records.claim_key(conn, key)
    replay = await records.earlier(conn, key, staff_id, action, target)
    if replay is None:
        return None
    if not replay.matches:
        raise _invalid("Idempotency-Key", "already used for a different action: make a new key for each action")
    return replay.result


async def _visit_action(
    request: Request,
    response: Response,
    principal: Principal,
    visit_id: UUID,
    key_header: str | None,
    action: VisitAction,
    body: FieldAction,
    apply: Callable[[DbConnection, Any, UUID, datetime], Awaitable[Applied]],
) -> dict[str, Any] | JSONResponse:
    allowed_scopes(principal, Action.VISIT_RECORD)
    key = _key(key_header)
    staff_id = _staff(principal)
    runtime = runtime_of(request)
    refused: JSONResponse | HTTPException | None = None
    async with runtime.pool.acquire() as conn, conn.transaction():
        earlier = await _replay_or_none(conn, key, staff_id, action.value, visit_id)
        if earlier is not None:
            response.headers["Idempotent-Replayed"] = "true"
            return earlier
        visit = await records.visit_for_update(conn, visit_id)
        if visit is None:
            raise HTTPException(status_code=404, detail="not found")
        holders = frozenset(s for s in (visit["staff_id"], visit["second_staff_id"]) if s is not None)
        decision = decide(principal, Action.VISIT_RECORD, RecordFacts(assigned_staff=holders))
        why_not = refusal(action, visit["status"]) if decision.allowed else None
        if not decision.allowed:
            reassigned = await records.was_shown(conn, staff_id, visit_id)
            purpose = "reassigned to someone else" if reassigned else decision.why
            await audit.record(conn, principal, Action.VISIT_RECORD.value, "visit", [str(visit_id)], purpose, "denied")
            refused = (
                _conflict("This visit has been given to someone else. Nothing was recorded.", "reassigned")
                if reassigned
                else HTTPException(status_code=404, detail="not found")
            )
        elif why_not is not None:
            refused = _conflict(f"Not recorded: {why_not}.", "state", visit["status"])
        else:
            taken_at = body.taken_at()
            correlation, trace = await records.case_context(conn, visit["episode_id"])
            with case_span(f"visit.{action.value}", trace):
                events, extra = await apply(conn, visit, staff_id, taken_at)
                event_ids = [await runtime.outbox.add(conn, event, correlation_id=correlation) for event in events]
            if action in NEXT_STATUS:
                await records.set_status(conn, visit_id, NEXT_STATUS[action])
            await audit.record(conn, principal, Action.VISIT_RECORD.value, "visit", [str(visit_id)], f"assigned visit: {action}")
            view = await records.visit_view(conn, staff_id, visit_id)
            result = {
                "action": action.value,
                "idempotency_key": str(key),
                "recorded_at": taken_at.isoformat(),
                "events": [event.event_type for event in events],
                "visit": _visit(view, None),
                **extra,
            }
            await records.log_action(
                conn,
                key,
                staff_id,
                action.value,
                visit["episode_id"],
                visit_id,
                taken_at,
                body.model_dump(mode="json"),
                result,
                event_ids,
            )
    if isinstance(refused, HTTPException):
        raise refused  # after the commit, so the attempt stays on the audit trail
    if refused is not None:
        return refused
    return result


async def _episode_action(
    request: Request,
    response: Response,
    principal: Principal,
    episode_id: UUID,
    key_header: str | None,
    action: str,
    matrix_action: Action,
    body: FieldAction,
    apply: Callable[[DbConnection, UUID, datetime], Awaitable[Applied | JSONResponse]],
) -> dict[str, Any] | JSONResponse:
    allowed_scopes(principal, matrix_action)
    key = _key(key_header)
    staff_id = _staff(principal)
    runtime = runtime_of(request)
    refused: JSONResponse | HTTPException | None = None
    async with runtime.pool.acquire() as conn, conn.transaction():
        earlier = await _replay_or_none(conn, key, staff_id, action, episode_id)
        if earlier is not None:
            response.headers["Idempotent-Replayed"] = "true"
            return earlier
        holds = await records.holds_episode(conn, staff_id, episode_id)
        if holds is None:
            raise HTTPException(status_code=404, detail="not found")
        decision = decide(principal, matrix_action, RecordFacts(assigned_staff=frozenset({staff_id} if holds else ())))
        if not decision.allowed:
            await audit.record(conn, principal, matrix_action.value, "episode", [str(episode_id)], decision.why, "denied")
            refused = HTTPException(status_code=404, detail="not found")
        else:
            taken_at = body.taken_at()
            correlation, trace = await records.case_context(conn, episode_id)
            with case_span(f"episode.{action}", trace):
                applied = await apply(conn, staff_id, taken_at)
                if isinstance(applied, JSONResponse):
                    refused = applied
                else:
                    events, extra = applied
                    event_ids = [await runtime.outbox.add(conn, event, correlation_id=correlation) for event in events]
            if refused is None:
                await audit.record(
                    conn, principal, matrix_action.value, "episode", [str(episode_id)], f"assigned visit: {action}"
                )
                result = {
                    "action": action,
                    "idempotency_key": str(key),
                    "recorded_at": taken_at.isoformat(),
                    "episode_id": str(episode_id),
                    "events": [event.event_type for event in events],
                    **extra,
                }
                await records.log_action(
                    conn, key, staff_id, action, episode_id, None, taken_at, body.model_dump(mode="json"), result, event_ids
                )
    if isinstance(refused, HTTPException):
        raise refused
    if refused is not None:
        return refused
    return result


# ---------------------------------------------------------------- the visit


@router.post("/visits/{visit_id}/en-route", summary="On my way")
async def en_route(
    visit_id: UUID,
    body: EnRoute,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        await records.update_record(conn, visit, staff_id, en_route_at=at, expected_arrival=body.expected_arrival)
        event = VisitEnRoute(
            episode_id=visit["episode_id"], visit_id=visit_id, staff_id=staff_id, at=at, expected_arrival=body.expected_arrival
        )
        return [event], {}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.EN_ROUTE, body, apply)


@router.post("/visits/{visit_id}/arrived", summary="Arrived: the visit has started")
async def arrived(
    visit_id: UUID,
    body: Arrived,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        await records.update_record(conn, visit, staff_id, arrived_at=at)
        return [VisitStarted(episode_id=visit["episode_id"], visit_id=visit_id, staff_id=staff_id, at=at)], {}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.ARRIVED, body, apply)


@router.post("/visits/{visit_id}/observations", summary="NEWS2 observations: scored, with the clinical response")
async def observations(
    visit_id: UUID,
    body: ObservationsTaken,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        taken = body.observations if body.observations.taken_at else body.observations.model_copy(update={"taken_at": at})
        news2 = score(taken)
        concern = news2.band != News2Band.LOW
        assessment_id = uuid4()
        summary = f"NEWS2 {news2.score} ({news2.band.value})"
        await records.insert_assessment(
            conn,
            assessment_id=assessment_id,
            episode_id=visit["episode_id"],
            visit_id=visit_id,
            staff_id=staff_id,
            kind=AssessmentKind.NEWS2.value,
            recorded_at=at,
            observations=taken.model_dump(mode="json"),
            news2_score=news2.score,
            news2_band=news2.band.value,
            summary=summary,
            serious_concern=concern,
        )
        await records.update_record(conn, visit, staff_id, news2_score=news2.score, news2_band=news2.band.value)
        event = AssessmentRecorded(
            episode_id=visit["episode_id"],
            assessment_id=assessment_id,
            kind=AssessmentKind.NEWS2,
            recorded_at=at,
            recorded_by_staff_id=staff_id,
            visit_id=visit_id,
            observations=taken,
            news2_score=news2.score,
            summary=summary,
            serious_concern=concern,
        )
        return [event], {
            "assessment_id": str(assessment_id),
            "news2": {
                "score": news2.score,
                "band": news2.band.value,
                "parameter_scores": news2.parameter_scores,
                "response": NEWS2_RESPONSE[news2.band],
                "serious_concern": concern,
            },
        }

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.OBSERVATIONS, body, apply)


@router.post("/visits/{visit_id}/assessments", summary="An assessment form: initial, review, falls risk, Clinical Frailty Scale")
async def assessment(
    visit_id: UUID,
    body: AssessmentForm,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        assessment_id = uuid4()
        summary = f"Falls risk: {body.falls_risk}. {body.summary}".strip() if body.falls_risk else body.summary
        await records.insert_assessment(
            conn,
            assessment_id=assessment_id,
            episode_id=visit["episode_id"],
            visit_id=visit_id,
            staff_id=staff_id,
            kind=body.kind,
            recorded_at=at,
            clinical_frailty_scale=body.clinical_frailty_scale,
            summary=summary,
            serious_concern=body.serious_concern,
        )
        event = AssessmentRecorded(
            episode_id=visit["episode_id"],
            assessment_id=assessment_id,
            kind=AssessmentKind(body.kind),
            recorded_at=at,
            recorded_by_staff_id=staff_id,
            visit_id=visit_id,
            clinical_frailty_scale=body.clinical_frailty_scale,
            summary=summary,
            serious_concern=body.serious_concern,
        )
        return [event], {"assessment_id": str(assessment_id)}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.ASSESSMENT, body, apply)


@router.post("/visits/{visit_id}/notes", summary="A note on the visit (carried by visit.completed; no event of its own)")
async def note(
    visit_id: UUID,
    body: Note,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        await records.update_record(conn, visit, staff_id, notes=[body.text])
        return [], {}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.NOTE, body, apply)


@router.post("/visits/{visit_id}/running-late", summary="Running late: the person (per consent) and the hub are told")
async def running_late(
    visit_id: UUID,
    body: RunningLate,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        planned: datetime = visit["planned_start"] or visit["latest_start"]
        minutes = math.ceil((body.expected_arrival - planned).total_seconds() / 60)
        if minutes < 1:
            raise _invalid("expected_arrival", f"must be after the planned start ({planned.astimezone(records.LOCAL):%H:%M})")
        if minutes > 24 * 60:
            raise _invalid("expected_arrival", "must be within a day of the planned start")
        await records.update_record(conn, visit, staff_id, running_late_minutes=minutes, expected_arrival=body.expected_arrival)
        event = VisitRunningLate(
            episode_id=visit["episode_id"],
            visit_id=visit_id,
            staff_id=staff_id,
            at=at,
            expected_arrival=body.expected_arrival,
            minutes_late=minutes,
        )
        return [event], {"minutes_late": minutes}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.RUNNING_LATE, body, apply)


@router.post("/visits/{visit_id}/missed", summary="Could not gain access, or missed, with the reason")
async def missed(
    visit_id: UUID,
    body: Missed,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        notes = [body.notes] if body.notes else []
        await records.update_record(conn, visit, staff_id, missed_at=at, missed_reason=body.reason.value, notes=notes)
        event = VisitMissed(
            episode_id=visit["episode_id"], visit_id=visit_id, staff_id=staff_id, at=at, reason=body.reason, notes=body.notes
        )
        return [event], {}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.MISSED, body, apply)


@router.post("/visits/{visit_id}/complete", summary="Completed, with the tasks done, notes and any concerns")
async def complete(
    visit_id: UUID,
    body: Completed,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, visit: Any, staff_id: UUID, at: datetime) -> Applied:
        notes = [body.notes] if body.notes else []
        await records.update_record(
            conn, visit, staff_id, completed_at=at, tasks_done=body.tasks_done, concerns=body.concerns, notes=notes
        )
        all_notes: list[str] = await conn.fetchval("SELECT notes FROM visit_records WHERE visit_id = $1", visit_id) or []
        event = VisitCompleted(
            episode_id=visit["episode_id"],
            visit_id=visit_id,
            staff_id=staff_id,
            at=at,
            tasks_done=body.tasks_done,
            notes="\n\n".join(all_notes)[:4000],
            concerns=body.concerns,
        )
        return [event], {}

    return await _visit_action(request, response, principal, visit_id, idempotency_key, VisitAction.COMPLETED, body, apply)


# ---------------------------------------------------------------- the episode


@router.post("/episodes/{episode_id}/consent", summary="Record consent: professional sharing or family involvement")
async def consent(
    episode_id: UUID,
    body: ConsentGiven,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, staff_id: UUID, at: datetime) -> Applied:
        consent_id = uuid4()
        await conn.execute(
            """
            INSERT INTO consents (consent_id, episode_id, scope, family_contact_id, recorded_at, recorded_by)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            consent_id,
            episode_id,
            body.scope.value,
            body.family_contact_id,
            at,
            staff_id,
        )
        event = ConsentRecorded(
            episode_id=episode_id,
            consent_id=consent_id,
            scope=body.scope,
            recorded_at=at,
            recorded_by_staff_id=staff_id,
            family_contact_id=body.family_contact_id,
        )
        return [event], {"consent_id": str(consent_id)}

    return await _episode_action(
        request, response, principal, episode_id, idempotency_key, "consent", Action.EPISODE_RECORD, body, apply
    )


@router.post("/episodes/{episode_id}/consent-withdrawal", summary="The person withdraws consent")
async def consent_withdrawal(
    episode_id: UUID,
    body: ConsentWithdrawal,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, staff_id: UUID, at: datetime) -> Applied:
        consent_id = await records.active_consent(conn, episode_id, body.scope.value)
        if consent_id is not None:
            await conn.execute("UPDATE consents SET withdrawn_at = $2 WHERE consent_id = $1", consent_id, at)
        else:
            consent_id = uuid4()  # consent given before this episode's app records (e.g. at referral)
        event = ConsentWithdrawn(episode_id=episode_id, consent_id=consent_id, scope=body.scope, withdrawn_at=at)
        return [event], {"consent_id": str(consent_id)}

    return await _episode_action(
        request, response, principal, episode_id, idempotency_key, "consent-withdrawal", Action.EPISODE_RECORD, body, apply
    )


@router.post("/episodes/{episode_id}/care-plan-proposal", summary="Propose a change to the care plan (a coordinator agrees it)")
async def care_plan_proposal(
    episode_id: UUID,
    body: CarePlanProposal,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, staff_id: UUID, at: datetime) -> Applied:
        proposal_id = uuid4()
        event = CarePlanChangeProposed(
            episode_id=episode_id,
            proposal_id=proposal_id,
            care_plan_id=await records.active_care_plan(conn, episode_id),
            proposed_at=at,
            proposed_by_staff_id=staff_id,
            reason=body.reason,
            visits=body.visits,
            declined=body.declined,
        )
        return [event], {"proposal_id": str(proposal_id)}

    return await _episode_action(
        request, response, principal, episode_id, idempotency_key, "care-plan-proposal", Action.EPISODE_RECORD, body, apply
    )


@router.post("/episodes/{episode_id}/lead-transfer", summary="Hand the lead to another discipline, without a new referral")
async def lead_transfer(
    episode_id: UUID,
    body: LeadTransfer,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, staff_id: UUID, at: datetime) -> Applied | JSONResponse:
        lead = await records.lead_discipline(conn, episode_id)
        if lead is None:
            return _conflict("Not recorded: the episode's lead discipline is not known yet.", "state")
        if lead == body.to_discipline.value:
            return _conflict(f"Not recorded: {lead} already leads this episode.", "state")
        await conn.execute(
            "UPDATE referral_state SET lead_discipline = $2 WHERE episode_id = $1", episode_id, body.to_discipline.value
        )
        event = LeadDisciplineTransferred(
            episode_id=episode_id,
            from_discipline=LeadDiscipline(lead),
            to_discipline=body.to_discipline,
            transferred_at=at,
            transferred_by_staff_id=staff_id,
            transferred_by=principal.name,
            reason=body.reason,
        )
        return [event], {"from_discipline": lead, "to_discipline": body.to_discipline.value}

    return await _episode_action(
        request, response, principal, episode_id, idempotency_key, "lead-transfer", Action.LEAD_TRANSFER, body, apply
    )


@router.post("/episodes/{episode_id}/onward-referral", summary="Refer on (e.g. a social care assessment)")
async def onward_referral(
    episode_id: UUID,
    body: OnwardReferral,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, staff_id: UUID, at: datetime) -> Applied:
        onward_id = uuid4()
        event = OnwardReferralMade(
            episode_id=episode_id,
            onward_referral_id=onward_id,
            service=body.service,
            made_at=at,
            made_by_staff_id=staff_id,
            reason=body.reason,
            wanted_from=body.wanted_from,
        )
        return [event], {"onward_referral_id": str(onward_id)}

    return await _episode_action(
        request, response, principal, episode_id, idempotency_key, "onward-referral", Action.EPISODE_RECORD, body, apply
    )


@router.post("/episodes/{episode_id}/discharge-recommendation", summary="Recommend discharge with the outcome")
async def discharge_recommendation(
    episode_id: UUID,
    body: DischargeRecommendation,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def apply(conn: DbConnection, staff_id: UUID, at: datetime) -> Applied:
        recommendation_id = uuid4()
        event = DischargeRecommended(
            episode_id=episode_id,
            recommendation_id=recommendation_id,
            recommended_at=at,
            recommended_by_staff_id=staff_id,
            outcome=body.outcome,
            summary=body.summary,
        )
        return [event], {"recommendation_id": str(recommendation_id)}

    return await _episode_action(
        request,
        response,
        principal,
        episode_id,
        idempotency_key,
        "discharge-recommendation",
        Action.EPISODE_RECORD,
        body,
        apply,
    )
