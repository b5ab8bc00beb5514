"""The triage API: a decision and why it was made; a hub clinician's override; handing the lead of an
episode to another discipline without a new referral. Sign-in, the access matrix and audit as everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from pydantic import Field

from carerelay_access import audit
from carerelay_access.identity import Principal
from carerelay_access.matrix import Action, RecordFacts
from carerelay_access.web import CurrentPrincipal, allowed_scopes, authorise
from carerelay_contract.episode import LeadDisciplineTransferred
from carerelay_contract.model import FreeText, Model
from carerelay_contract.triage import TriageOverridden
from carerelay_contract.vocabulary import LeadDiscipline, ResponseTier
from carerelay_events.db import DbConnection
from carerelay_service.app import runtime_of

from . import clocks
from .rules import TriageRules

router = APIRouter(prefix="/api/triage", tags=["triage"])


class Override(Model):
    tier: ResponseTier
    lead_discipline: LeadDiscipline
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class LeadTransfer(Model):
    to_discipline: LeadDiscipline
    reason: FreeText = ""


def _who(principal: Principal) -> str:
    return principal.name or principal.subject


async def _decision(
    request: Request, conn: DbConnection, principal: Principal, action: Action, where: str, key: UUID
) -> tuple[Any, HTTPException | None]:
    allowed_scopes(principal, action)
    row = await conn.fetchrow(f"SELECT * FROM triage_decisions WHERE {where} = $1 FOR UPDATE", key)
    if row is None:
        return None, HTTPException(status_code=404, detail="not found")
    staff = await conn.fetch("SELECT staff_id FROM care_team WHERE episode_id = $1", row["episode_id"])
    facts = RecordFacts(team=row["team"], assigned_staff=frozenset(r["staff_id"] for r in staff))
    decision = await authorise(request, conn, principal, action, facts, "referral", str(row["referral_id"]))
    return row, None if decision.allowed else HTTPException(status_code=404, detail="not found")


def _view(row: Any) -> dict[str, Any]:
    return {
        "referral_id": str(row["referral_id"]),
        "episode_id": str(row["episode_id"]),
        "decided_at": row["decided_at"].isoformat(),
        "tier": row["tier"],
        "lead_discipline": row["lead_discipline"],
        "route": row["route"],
        "care_setting": row["care_setting"],
        "first_contact_deadline": row["first_contact_deadline"].isoformat(),
        "news2_score": row["news2_score"],
        "rules_version": row["rules_version"],
        "rules_fired": list(row["rules_fired"]),
        "overridden": row["overridden"],
    }


@router.get("/referrals/{referral_id}", summary="The triage decision for a referral and the rules that made it")
async def get_decision(referral_id: UUID, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn, conn.transaction():
        row, refusal = await _decision(request, conn, principal, Action.TRIAGE_READ, "referral_id", referral_id)
    if refusal is not None:
        raise refusal
    return _view(row)


@router.post("/referrals/{referral_id}/override", summary="A hub clinician overrides the decision, with a reason")
async def override(referral_id: UUID, body: Override, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    runtime = runtime_of(request)
    rules: TriageRules = request.app.state.rules
    now = datetime.now(UTC)
    async with runtime.pool.acquire() as conn, conn.transaction():
        row, refusal = await _decision(request, conn, principal, Action.TRIAGE_OVERRIDE, "referral_id", referral_id)
        if refusal is None:
            received_at = row["received_at"] or row["decided_at"]
            deadline = received_at + rules.allowed_time(body.tier)
            await conn.execute(
                """
                UPDATE triage_decisions SET tier = $2, lead_discipline = $3, first_contact_deadline = $4, overridden = true,
                       rules_fired = rules_fired || $5::text[], decided_at = $6
                WHERE referral_id = $1
                """,
                referral_id,
                body.tier.value,
                body.lead_discipline.value,
                deadline,
                ["overridden-by-hub-clinician"],
                now,
            )
            await clocks.set_deadline(conn, row["episode_id"], body.tier, deadline, rules.at_risk_fraction)
            await runtime.outbox.add(
                conn,
                TriageOverridden(
                    episode_id=row["episode_id"],
                    referral_id=referral_id,
                    decided_at=now,
                    tier=body.tier,
                    lead_discipline=body.lead_discipline,
                    first_contact_deadline=deadline,
                    overridden_by=_who(principal),
                    reason=body.reason,
                ),
            )
            await audit.record(
                conn, principal, Action.TRIAGE_OVERRIDE.value, "referral", [str(referral_id)], "hub triage: override"
            )
            row = await conn.fetchrow("SELECT * FROM triage_decisions WHERE referral_id = $1", referral_id)
    if refusal is not None:
        raise refusal
    return _view(row)


@router.post("/episodes/{episode_id}/lead", summary="Hand the lead to another discipline, without a new referral")
async def transfer_lead(episode_id: UUID, body: LeadTransfer, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    runtime = runtime_of(request)
    now = datetime.now(UTC)
    async with runtime.pool.acquire() as conn, conn.transaction():
        row, refusal = await _decision(request, conn, principal, Action.LEAD_TRANSFER, "episode_id", episode_id)
        if refusal is None and row["lead_discipline"] == body.to_discipline.value:
            refusal = HTTPException(status_code=409, detail=f"{body.to_discipline.value} already leads this episode")
        if refusal is None:
            await conn.execute(
                "UPDATE triage_decisions SET lead_discipline = $2 WHERE episode_id = $1", episode_id, body.to_discipline.value
            )
            await runtime.outbox.add(
                conn,
                LeadDisciplineTransferred(
                    episode_id=episode_id,
                    from_discipline=LeadDiscipline(row["lead_discipline"]),
                    to_discipline=body.to_discipline,
                    transferred_at=now,
                    transferred_by_staff_id=principal.staff_id,
                    transferred_by=_who(principal),
                    reason=body.reason,
                ),
            )
            await audit.record(
                conn, principal, Action.LEAD_TRANSFER.value, "referral", [str(row["referral_id"])], "lead transfer"
            )
            row = await conn.fetchrow("SELECT * FROM triage_decisions WHERE episode_id = $1", episode_id)
    if refusal is not None:
        raise refusal
    return _view(row)
