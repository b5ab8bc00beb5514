"""Kafka clients with the project's safe settings, written once.

Producer: acks=all and idempotence on, so a retried send never duplicates or reorders.
Consumer: auto-commit off; offsets are committed by the caller after processing.
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from .settings import KafkaSettings
from .topics import TOPICS, Topic, topic_name


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


async def ensure_topics(settings: KafkaSettings, replication_factor: int = 1) -> list[str]:
    """Create any registry topic that is missing (with the settings' prefix); return those created."""
    admin = AIOKafkaAdminClient(**connection_options(settings), client_id="carerelay-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(topic_name(topic, settings.topic_prefix), spec.partitions, replication_factor)
            for topic, spec in TOPICS.items()
            if topic_name(topic, settings.topic_prefix) not in existing
        ]
        if wanted:
            await admin.create_topics(wanted)
        return [new.name for new in wanted]
    finally:
        await admin.close()


def all_topic_names(settings: KafkaSettings) -> list[str]:
    return [topic_name(topic, settings.topic_prefix) for topic in Topic]
