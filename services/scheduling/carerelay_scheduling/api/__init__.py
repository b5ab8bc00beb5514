"""Scheduling's HTTP API, one module per resource: `staff` (the rota), `visits` (the list), `coordinator`
(the day's plan and its levers), `lead` (a hub clinician's lead transfer) and `clinician` (the app: my
day and the actions, which all take the one path of `recording`). Every route needs sign-in."""

from fastapi import APIRouter

from . import clinician, coordinator, lead, staff, visits

routers: list[APIRouter] = [staff.router, visits.router, clinician.router, coordinator.router, lead.router]
