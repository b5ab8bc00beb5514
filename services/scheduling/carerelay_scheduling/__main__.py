"""`python -m carerelay_scheduling`: serve the scheduling service."""

from __future__ import annotations

from carerelay_service.app import run_service

from .app import create_app
from .settings import SchedulingSettings

if __name__ == "__main__":
    run_service("scheduling", SchedulingSettings(), create_app)
