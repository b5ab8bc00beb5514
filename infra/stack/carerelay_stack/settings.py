from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("referral", "triage", "scheduling", "notifications")
REPO = Path(__file__).resolve().parents[3]


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


class StackPorts(BaseSettings):
    """The local ports `make run` gives the issuer, the services, the mailbox and the web origin.

    Each is read from the environment variable the process itself reads (`CARERELAY_REFERRAL_PORT`
    for referral, `CARERELAY_ISSUER_PORT` for the issuer, ...), plus `CARERELAY_WEB_PORT`,
    `CARERELAY_MAILBOX_PORT` and `CARERELAY_MAILBOX_SMTP_PORT`: a second system (or the run/stop
    test) can run beside a developer's `make run` on other ports.
    """

    model_config = SettingsConfigDict(env_prefix="CARERELAY_", frozen=True, extra="ignore")

    issuer_port: int = 8100
    referral_port: int = 8101
    triage_port: int = 8102
    scheduling_port: int = 8103
    notifications_port: int = 8104
    web_port: int = 8080
    mailbox_port: int = 8026
    """The mailbox's page of the emails it kept."""
    mailbox_smtp_port: int = 8025
    jaeger_port: int = 16686
    """Jaeger's UI and query API (`make run OBSERVE=1`)."""
    jaeger_otlp_port: int = 4318
    """Jaeger's OTLP/HTTP receiver, where every service exports its spans."""
    jaeger_grpc_port: int = 16685
    """Jaeger's query API over gRPC (not used here, but it listens)."""
    jaeger_health_port: int = 13133
    prometheus_port: int = 9090
    instances: int = Field(default=1, ge=1, le=9)
    """`CARERELAY_INSTANCES`: how many processes of each service to run, all in the service's one
    consumer group (triage: as many faust workers). Instance n (from 1) listens on the service's
    port + 10 * (n - 1): 8101, 8111, 8121, ... for the referral hub."""

    @classmethod
    def port_fields(cls) -> list[str]:
        """The names of the ports (every field but `instances`)."""
        return [name for name in cls.model_fields if name.endswith("_port")]

    def service(self, service: str) -> int:
        port: int = getattr(self, f"{service}_port")
        return port

    def instance_ports(self, service: str) -> tuple[int, ...]:
        """The port of each instance of `service`, the first being `service(service)`."""
        return tuple(self.service(service) + INSTANCE_PORT_STEP * n for n in range(self.instances))


INSTANCE_PORT_STEP = 10


class ObserveSettings(BaseSettings):
    """`make run OBSERVE=1`: also run Jaeger (spans from every service) and Prometheus (their /metrics)."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_", frozen=True, extra="ignore")

    observe: bool = False
    jaeger_bin: Path = Path.home() / ".cache" / "carerelay" / "jaeger-v1.76.0" / "jaeger"
    """Built by the Makefile's `observe-tools` from infra/observability/jaeger/go.mod (the Go module proxy)."""
    prometheus_bin: str = "prometheus"
    """Debian's `prometheus` package, installed by `observe-tools`."""


def data_dir() -> Path:
    """Local runtime state (logs, the web origin's config, the mailbox, pid files): `$CARERELAY_DATA_DIR`
    or `<repo>/.data`, the same rule as the infra launcher's, so one data dir holds one whole system."""
    override = os.environ.get("CARERELAY_DATA_DIR")
    return Path(override).resolve() if override else REPO / ".data"
