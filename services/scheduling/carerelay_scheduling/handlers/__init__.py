"""Scheduling's event handlers, one module per topic consumed: `referral` (the person, acceptance,
closure), `triage` (how fast, who leads), `episode` (care plans, lead transfers), `hospital` (a stay in
hospital pauses the visits; a discharge asks for a reassessment). `context.resources` is the service's
settings."""

from . import episode, hospital, referral, triage
from .registry import handlers

__all__ = ["episode", "handlers", "hospital", "referral", "triage"]
