"""The roles people and systems sign in with (a `roles` claim in the bearer token)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    HUB_CALL_HANDLER = "hub-call-handler"
    HUB_CLINICIAN = "hub-clinician"
    FIELD_CLINICIAN = "field-clinician"
    """A nurse or therapist."""
    CARER = "carer"
    """A carer or reablement worker: tasks and notes, not the full clinical record."""
    COORDINATOR = "coordinator"
    """A team manager."""
    GP = "gp"
    """Their own registered patients only."""
    INTEGRATOR = "integrator"
    """A hospital or GP system: its own submissions and subscribed topics."""
    AUDITOR = "auditor"
    """Information governance: the audit trail, not the records themselves."""
