from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from carerelay_service.settings import ServiceSettings


class AuthSettings(BaseSettings):
    """Which issuer to trust. Point these at NHS CIS2, Microsoft Entra or Keycloak without code changes."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_AUTH_", frozen=True, extra="ignore")

    issuer: str = "http://127.0.0.1:8100"
    audience: str = "carerelay-api"
    jwks_url: str | None = None
    """Defaults to `<issuer>/jwks.json`; set it when the issuer publishes its keys elsewhere."""
    leeway_seconds: int = 30
    allowed_origins: list[str] = ["http://127.0.0.1:8080", "http://localhost:8080"]
    """The system's own web origin(s): the only ones CORS allows."""
    max_request_bytes: int = 256 * 1024

    @property
    def keys_url(self) -> str:
        return self.jwks_url or f"{self.issuer.rstrip('/')}/jwks.json"


class SecuredServiceSettings(ServiceSettings):
    """A service that signs people in: its settings with the issuer's nested (CARERELAY_AUTH_*)."""

    auth: AuthSettings = Field(default_factory=AuthSettings)
