"""The hub's HTTP API (OpenAPI at /api/referral/docs), one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from . import additions, decisions, hospital, open_episodes, practices, referrals

routers: list[APIRouter] = [
    referrals.router,
    open_episodes.router,
    additions.router,
    decisions.router,
    hospital.router,
    practices.router,
]
