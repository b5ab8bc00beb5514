"""`python -m carerelay_notifications`: serve the notifications service."""

from __future__ import annotations

from carerelay_service.app import run_service

from .app import create_app
from .settings import NotificationsSettings

if __name__ == "__main__":
    run_service("notifications", NotificationsSettings(), create_app)
