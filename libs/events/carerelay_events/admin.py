"""Creating the registry's topics on a cluster (the broker never auto-creates them)."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from carerelay_contract.topics import TOPICS, Topic, topic_name

from .settings import KafkaSettings
from .transport.aiokafka import connection_options


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
