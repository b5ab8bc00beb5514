"""Connection settings shared by every service, read from the environment (pydantic-settings).

The same services run against a local broker and a remote cluster unchanged: only these change.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """Kafka connection. Locally plaintext on loopback; in production SASL_SSL with SCRAM."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_KAFKA_", frozen=True, extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    topic_prefix: str = ""
    """Prepended to every topic name: separate environments (or test runs) on one cluster."""
    replication_factor: int | None = Field(default=None, ge=1)
    """Copies of each topic `admin.ensure_topics` creates. Unset: 1 on a single broker (the local one),
    3 on a cluster."""
    min_insync_replicas: int | None = Field(default=None, ge=1)
    """`min.insync.replicas` of each topic it creates: how many copies must have a record before an
    acks=all send succeeds. Unset: 2 when replicated 3 times or more, else 1."""


class TracingSettings(BaseSettings):
    """Where spans go. No endpoint: spans are made (for log correlation) but not exported."""

    model_config = SettingsConfigDict(env_prefix="CARERELAY_OTEL_", frozen=True, extra="ignore")

    otlp_endpoint: str | None = None
    """An OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces."""
    export_delay_ms: int = 1000


class ConsumerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_CONSUMER_", frozen=True, extra="ignore")

    max_attempts_for_unexpected_errors: int = 5
    """A handler error that is not transient (`failures.is_transient`) is tried this often, then
    dead-lettered. Transient failures are retried for ever and do not count towards it."""
    first_backoff_seconds: float = 0.2
    """The wait after the first failure in a row; it doubles with each further one (with jitter)."""
    max_backoff_seconds: float = 30.0
    """The longest wait between two tries of one message."""
    stalled_after_seconds: float = 60.0
    """/health reports a worker (consumer, outbox relay, faust agent) unhealthy once it has made no
    progress for this long while work waits for it (records behind, unpublished rows)."""
