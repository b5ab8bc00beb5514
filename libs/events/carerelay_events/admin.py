"""Creating the registry's topics on a cluster (the broker never auto-creates them), durable as the
cluster allows: on three brokers or more, three copies with two in sync before a send succeeds, and
never an out-of-sync copy made leader (no unclean leader election); on a single broker, one copy."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from carerelay_contract.topics import TOPICS, Topic, topic_name

from .settings import KafkaSettings
from .transport.aiokafka import connection_options

FULL_REPLICATION = 3
"""Copies of each topic on a cluster: one broker can fail, or be restarted for an upgrade, while two
still take every write."""


@dataclass(frozen=True)
class Durability:
    """How a topic is kept: its copies, and how many must have a record before an acks=all send succeeds."""

    replication_factor: int
    min_insync_replicas: int

    def topic_configs(self) -> dict[str, str]:
        return {
            "min.insync.replicas": str(self.min_insync_replicas),
            "unclean.leader.election.enable": "false",
        }


def durability(settings: KafkaSettings, brokers: int, replication_factor: int | None = None) -> Durability:
    """The durability of new topics: `replication_factor` if given, else the settings', else 1 on a
    single broker and 3 on any cluster (with 2 brokers seen, one of three is likely down: creating
    then fails, rather than making topics that can lose data; set the settings' replication factor for
    a cluster that is meant to have two). Min ISR from the settings, else 2 when there are three copies
    or more, else 1."""
    factor = replication_factor or settings.replication_factor or (1 if brokers <= 1 else FULL_REPLICATION)
    in_sync = settings.min_insync_replicas or (2 if factor >= FULL_REPLICATION else 1)
    if in_sync > factor:
        raise ValueError(f"min.insync.replicas {in_sync} is more than the replication factor {factor}")
    return Durability(factor, in_sync)


async def ensure_topics(settings: KafkaSettings, replication_factor: int | None = None) -> list[str]:
    """Create any registry topic that is missing (with the settings' prefix), as `durability` says for
    the brokers the cluster has now; return those created. Topics that exist are left as they are.
    Raises the broker's error when one cannot be created (e.g. more copies asked for than brokers running)."""
    admin = AIOKafkaAdminClient(**connection_options(settings), client_id="carerelay-topics")
    await admin.start()
    try:
        brokers = len((await admin.describe_cluster())["brokers"])
        kept = durability(settings, brokers, replication_factor)
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                topic_name(topic, settings.topic_prefix),
                spec.partitions,
                kept.replication_factor,
                topic_configs=kept.topic_configs(),
            )
            for topic, spec in TOPICS.items()
            if topic_name(topic, settings.topic_prefix) not in existing
        ]
        if wanted:
            response = await admin.create_topics(wanted)
            for name, code, *message in response.topic_errors:
                error = for_code(code)
                if code and error is not TopicAlreadyExistsError:  # made meanwhile by another caller: fine
                    raise error(f"creating topic {name}: {message[0] if message and message[0] else error.__name__}")
        return [new.name for new in wanted]
    finally:
        await admin.close()


def all_topic_names(settings: KafkaSettings) -> list[str]:
    return [topic_name(topic, settings.topic_prefix) for topic in Topic]
