"""`python -m carerelay_referral`: serve the referral service."""

from __future__ import annotations

from carerelay_service.app import run_service

from .app import create_app
from .settings import ReferralSettings

if __name__ == "__main__":
    run_service("referral", ReferralSettings(), create_app)
