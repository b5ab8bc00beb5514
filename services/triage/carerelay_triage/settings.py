from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from carerelay_events.service import ServiceSettings


class TriageSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_TRIAGE_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_triage:carerelay_triage@127.0.0.1:55432/carerelay_triage"
    port: int = 8102
    """faust's web server (health and faust's own pages)."""
