"""Scheduling's HTTP API: one module per resource."""

from fastapi import APIRouter

from . import clinician, coordinator, visits

routers: list[APIRouter] = [visits.router, clinician.router, coordinator.router]
