"""The referral hub's settings (`CARERELAY_REFERRAL_*`), read once by `__main__`."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from carerelay_access.settings import SecuredServiceSettings

from .store.directory import DEMO_DIRECTORY


class ReferralSettings(SecuredServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_REFERRAL_", frozen=True, extra="ignore")

    database_url: str = "postgresql://carerelay_referral:carerelay_referral@127.0.0.1:55432/carerelay_referral"
    port: int = 8101
    practices_file: Path = DEMO_DIRECTORY
    """The GP practice directory (columns `code,name,postcode`); by default the synthetic demo practices."""
