"""A service's settings, read from the environment once, at the process's entry point.

Each service subclasses ServiceSettings with its own prefix (CARERELAY_REFERRAL_, ...). The settings
every process shares (Kafka, the consumer's retries, tracing) are nested here with their own
prefixes, so `ReferralSettings()` reads the whole environment of the process in one place and
`create_app(settings)` hands the parts down; nothing below it reads the environment again.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from carerelay_events.settings import ConsumerSettings, KafkaSettings, TracingSettings


class ServiceSettings(BaseSettings):
    """A service's own settings; subclasses set env_prefix, e.g. CARERELAY_REFERRAL_."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    database_url: str
    host: str = "127.0.0.1"
    port: int
    relay_enabled: bool = True
    """False only to prove the outbox: events are written but not published until a restart with it on."""
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    """CARERELAY_KAFKA_*: the cluster and the topic prefix."""
    consumer: ConsumerSettings = Field(default_factory=ConsumerSettings)
    """CARERELAY_CONSUMER_*: retries of inbound messages."""
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    """CARERELAY_OTEL_*: where spans go."""
