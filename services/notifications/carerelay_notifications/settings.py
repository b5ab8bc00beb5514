from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from carerelay_events.service import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_NOTIFICATIONS_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_notifications:carerelay_notifications@127.0.0.1:55432/carerelay_notifications"
    port: int = 8104
