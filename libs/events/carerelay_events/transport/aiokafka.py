"""The aiokafka transport: Kafka clients with the project's safe settings, written once.

Producer: acks=all and idempotence on, so a retried send never duplicates or reorders.
Consumer: auto-commit off; offsets are committed by the caller after processing.
aiokafka's clients satisfy `transport.base.Producer` and `Consumer` as they are.
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from ..settings import KafkaSettings


def connection_options(settings: KafkaSettings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context(cafile=settings.ssl_cafile)
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password.get_secret_value() if settings.sasl_password else None
    return options


def create_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **connection_options(settings),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        request_timeout_ms=30_000,
    )


def create_consumer(settings: KafkaSettings, group_id: str, topics: list[str]) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        **connection_options(settings),
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=200,
    )


class KafkaTransport:
    """A real Kafka cluster, reached with `settings` (`transport.base.Transport`)."""

    def __init__(self, settings: KafkaSettings | None = None) -> None:
        self.settings = settings or KafkaSettings()
        self.topic_prefix = self.settings.topic_prefix

    def producer(self, client_id: str) -> AIOKafkaProducer:
        return create_producer(self.settings, client_id)

    def consumer(self, group_id: str, topics: list[str]) -> AIOKafkaConsumer:
        return create_consumer(self.settings, group_id, topics)
