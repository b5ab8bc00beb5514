"""Scheduling's HTTP API, one module per resource: `staff` (the rota), `visits` (the list), `coordinator`
(the day's plan and its levers), `care_plan_changes` (proposed changes agreed or declined), `lead` (a
hub clinician's lead transfer), `closing` (an episode closed with its outcome) and `clinician` (the app: my
day and the actions, which all take the one path of `recording`). Every route needs sign-in."""

from fastapi import APIRouter

from . import care_plan_changes, clinician, closing, coordinator, lead, staff, visits

routers: list[APIRouter] = [
    staff.router,
    visits.router,
    clinician.router,
    coordinator.router,
    care_plan_changes.router,
    closing.router,
    lead.router,
]
