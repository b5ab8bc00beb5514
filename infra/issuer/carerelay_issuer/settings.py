from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parents[3]
PACKAGE = Path(__file__).resolve().parent


class IssuerSettings(BaseSettings):
    """Where the issuer listens, what it calls itself and how long its tokens last."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_ISSUER_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8100
    public_url: str = "http://127.0.0.1:8100"
    """The `iss` claim and the base of every endpoint in the discovery document."""
    audience: str = "carerelay-api"
    """The `aud` claim of access tokens (ID tokens are for the client: `aud` is its client_id)."""
    key_dir: Path = REPO / ".data" / "issuer"
    """The signing key is generated here on first start (private key mode 0600) and reused afterwards."""
    user_token_minutes: int = 480
    """A shift."""
    client_token_minutes: int = 60
    code_seconds: int = 60
    users_file: Path = PACKAGE / "demo_users.json"

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        # The issuer identifier is compared as an exact string: keep one spelling of it.
        return value.rstrip("/")

    @field_validator("user_token_minutes", "client_token_minutes", "code_seconds")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be positive")
        return value
