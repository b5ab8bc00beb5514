"""`carerelay.hospital-adt.v1`: someone admitted to hospital before first contact cannot be reached in
time, and is being cared for: their response clock stops (no at-risk or breach alarms while in hospital;
after the discharge, scheduling's reassessment is planned with its own deadline)."""

from __future__ import annotations

from carerelay_contract.hospital import PatientAdmitted
from carerelay_events.processing import HandlerContext

from ..domain.rules.model import TriageRules
from ..store import clocks
from .registry import handlers


@handlers.on(PatientAdmitted)
async def on_admitted(event: PatientAdmitted, context: HandlerContext[TriageRules]) -> None:
    if event.episode_id is not None:
        await clocks.stop(context.conn, event.episode_id)
