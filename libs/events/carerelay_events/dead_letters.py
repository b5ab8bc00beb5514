"""The dead-letter topic: where a message that can never succeed goes, with the reason."""

from __future__ import annotations

from prometheus_client import Counter

from carerelay_contract.topics import Topic, topic_name

from .transport.base import InboundRecord, Producer

DEAD_LETTERED = Counter(
    "carerelay_dead_letters_total",
    "Messages published to the dead-letter topic, by consumer and original topic",
    ["consumer", "topic"],
)


class DeadLetters:
    """Publishes a message that can never succeed, with its original key, value and headers plus the reason."""

    def __init__(self, producer: Producer, consumer: str, topic_prefix: str = "") -> None:
        self.producer = producer
        self.consumer = consumer
        self.topic = topic_name(Topic.DEAD_LETTER, topic_prefix)

    async def publish(self, record: InboundRecord, reason: str) -> None:
        headers = [
            *record.headers,
            ("carerelay_dlq_reason", reason.encode()),
            ("carerelay_dlq_original_topic", record.topic.encode()),
            ("carerelay_dlq_original_partition", str(record.partition).encode()),
            ("carerelay_dlq_original_offset", str(record.offset).encode()),
            ("carerelay_dlq_consumer", self.consumer.encode()),
        ]
        await self.producer.send_and_wait(self.topic, value=record.value, key=record.key, headers=headers)
        DEAD_LETTERED.labels(self.consumer, record.topic).inc()
