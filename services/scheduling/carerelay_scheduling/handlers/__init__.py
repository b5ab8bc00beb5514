"""Scheduling's event handlers, one module per topic consumed: `referral` (the person, acceptance,
closure), `triage` (how fast, who leads), `episode` (care plans, lead transfers). `context.resources`
is the service's settings."""

from . import episode, referral, triage
from .registry import handlers

__all__ = ["episode", "handlers", "referral", "triage"]
