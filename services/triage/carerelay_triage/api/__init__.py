"""The triage API: a decision and why it was made; a hub clinician's override. Sign-in, the access
matrix and audit as everywhere (carerelay_access)."""

from __future__ import annotations

from . import decisions, overrides

routers = [decisions.router, overrides.router]
