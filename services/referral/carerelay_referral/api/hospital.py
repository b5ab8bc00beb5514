"""A hospital stay entered at the hub (a ward, the family or the GP calls): the admission of someone in
an accepted, open episode (`patient.admitted`: scheduling pauses their visits, triage stops a running
clock, the hub and coordinators are told) and their discharge (`patient.discharged`: scheduling plans a
reassessment by the lead within a day, after which the visits resume). An ADT feed will send the same
events (issue 17). Hub call handlers and hub clinicians; audited; 409 when it means nothing now."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from carerelay_access.matrix import Action
from carerelay_access.web import CurrentPrincipal
from carerelay_contract.hospital import PatientAdmitted, PatientDischarged
from carerelay_events.db import DbConnection
from carerelay_service.problems import refuse

from ..domain.intake import Admission, Discharge, markup_problems
from ..domain.referral import Referral, admit, discharge, stay_of
from ..store import referrals
from .deps import PREFIX, act_on

router = APIRouter(prefix=PREFIX, tags=["referrals"])


@router.post(
    "/referrals/{referral_id}/admission", summary="The person is in hospital: their visits are paused", response_model=None
)
async def record_admission(
    referral_id: UUID, body: Admission, request: Request, principal: CurrentPrincipal
) -> dict[str, Any] | JSONResponse:
    refuse(markup_problems(body.model_dump(mode="json")))

    async def admitted(conn: DbConnection, referral: Referral, now: datetime) -> PatientAdmitted:
        event = admit(referral, body, at=now)
        await referrals.record_hospital_stay(conn, referral.referral_id, stay_of(event))
        return event

    return await act_on(request, principal, referral_id, Action.HOSPITAL_RECORD, "hospital admission", admitted)


@router.post(
    "/referrals/{referral_id}/discharge", summary="Home from hospital: a reassessment before visits resume", response_model=None
)
async def record_discharge(
    referral_id: UUID, body: Discharge, request: Request, principal: CurrentPrincipal
) -> dict[str, Any] | JSONResponse:
    async def discharged(conn: DbConnection, referral: Referral, now: datetime) -> PatientDischarged:
        event = discharge(referral, body, at=now)
        await referrals.record_hospital_stay(conn, referral.referral_id, None)
        return event

    return await act_on(request, principal, referral_id, Action.HOSPITAL_RECORD, "hospital discharge", discharged)
