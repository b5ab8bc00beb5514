from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("referral", "triage", "scheduling", "notifications")


class StackSettings(BaseSettings):
    """Where the stack's PostgreSQL is, and the credentials it gives each service's own role."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_PG_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 55432
    admin_user: str = "carerelay"
    admin_password: SecretStr = SecretStr("carerelay")
    database_prefix: str = "carerelay_"

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.admin_user}:{self.admin_password.get_secret_value()}@{self.host}:{self.port}/{database}"

    def service_role(self, service: str) -> str:
        return f"{self.database_prefix}{service}"

    def service_password(self, service: str) -> str:
        """Local development passwords; production supplies each service's DATABASE_URL from a secret store."""
        return self.service_role(service)

    def service_url(self, service: str) -> str:
        role = self.service_role(service)
        return f"postgresql://{role}:{self.service_password(service)}@{self.host}:{self.port}/{role}"
