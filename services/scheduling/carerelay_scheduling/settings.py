from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from carerelay_events.service import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_SCHEDULING_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_scheduling:carerelay_scheduling@127.0.0.1:55432/carerelay_scheduling"
    port: int = 8103
