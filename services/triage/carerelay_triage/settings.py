"""Triage's settings, read once by `__main__` (CARERELAY_TRIAGE_*, with Kafka, tracing and sign-in nested)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from carerelay_access.settings import SecuredServiceSettings

from .rules import DEFAULT_RULES_FILE


class TriageSettings(SecuredServiceSettings):
    """The triage worker's settings; `create_app` hands each part to what needs it."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_TRIAGE_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_triage:carerelay_triage@127.0.0.1:55432/carerelay_triage"
    port: int = 8102
    """The triage API (and /health), served inside the faust worker."""
    rules_file: Path = DEFAULT_RULES_FILE
    """The clinical lead's rules (see RULES.md); checked at start-up."""
    clock_tick_seconds: float = 1.0
    clock_catch_up_limit_seconds: float = 300.0
    """After a start, the response clocks judge no deadline until the events waiting at the start are
    processed (a first contact in the backlog stops its clock first), or for at most this long."""
