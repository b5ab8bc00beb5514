"""The topic registry: every topic's name, partitions and key, in one place.

All events of one episode share a key (the episode id) so they stay in order on one partition.
A prefix from settings lets tests (and several environments on one cluster) use separate topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    REFERRAL = "carerelay.referral.v1"
    TRIAGE = "carerelay.triage.v1"
    RESPONSE_CLOCK = "carerelay.response-clock.v1"
    EPISODE = "carerelay.episode.v1"
    VISIT = "carerelay.visit.v1"
    HOSPITAL_ADT = "carerelay.hospital-adt.v1"
    NOTIFICATION = "carerelay.notification.v1"
    DEAD_LETTER = "carerelay.dead-letter.v1"


@dataclass(frozen=True)
class TopicSpec:
    topic: Topic
    partitions: int
    key: str
    description: str


TOPICS: dict[Topic, TopicSpec] = {
    spec.topic: spec
    for spec in (
        TopicSpec(
            Topic.REFERRAL, 6, "episode id", "Referrals taken by the hub: received, accepted, rejected, updated, cancelled."
        ),
        TopicSpec(Topic.TRIAGE, 6, "episode id", "Triage decisions and hub clinicians' overrides."),
        TopicSpec(Topic.RESPONSE_CLOCK, 6, "episode id", "Response clocks: at risk, breached, met."),
        TopicSpec(
            Topic.EPISODE,
            6,
            "episode id",
            "The episode of care: assessments, care plans, consent, lead transfer, onward referrals, closure.",
        ),
        TopicSpec(Topic.VISIT, 6, "episode id", "Visits: planned, assigned, rescheduled, cancelled and what happened."),
        TopicSpec(
            Topic.HOSPITAL_ADT,
            3,
            "episode id, else the hospital encounter id",
            "Hospital admissions and discharges from ADT feeds.",
        ),
        TopicSpec(Topic.NOTIFICATION, 6, "episode id", "Messages to people: requested, delivered, failed."),
        TopicSpec(
            Topic.DEAD_LETTER,
            3,
            "the original key",
            "Messages that can never be processed, with the original headers and the reason.",
        ),
    )
}


def topic_name(topic: Topic, prefix: str = "") -> str:
    """The topic's name on the cluster, with the environment's prefix."""
    return f"{prefix}{topic.value}"
