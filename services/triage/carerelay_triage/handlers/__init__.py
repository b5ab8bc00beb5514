"""Triage's event handlers, one module per topic consumed: a received referral gets a decision and a
running response clock, stored and published together; visits and lead transfers move them on."""

from __future__ import annotations

from . import episode, hospital, referral, visit  # noqa: F401  (importing them registers their handlers)
from .registry import handlers

__all__ = ["handlers"]
