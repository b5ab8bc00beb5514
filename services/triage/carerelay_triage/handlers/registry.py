"""The registry triage's handlers are declared on (imported by each topic module)."""

from __future__ import annotations

from carerelay_events.handlers import Handlers

from ..domain.rules.model import TriageRules

handlers: Handlers[TriageRules] = Handlers()
"""Triage's handlers; their resources are the clinical lead's rules, loaded and checked at start-up."""
