"""New topics are as durable as the cluster allows: three copies, two in sync, on a cluster; one on
the single local broker; the settings override both, and a min ISR above the copies is refused.
(The three-broker case on a real cluster is tests/fault/test_broker_loss.py.)"""

from __future__ import annotations

from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import InvalidReplicationFactorError

from carerelay_contract.topics import Topic, topic_name
from carerelay_events.admin import Durability, all_topic_names, durability, ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import connection_options


@pytest.mark.parametrize(
    ("brokers", "expected"),
    [(1, Durability(1, 1)), (2, Durability(3, 2)), (3, Durability(3, 2)), (5, Durability(3, 2))],
)
def test_a_cluster_gets_three_copies_two_in_sync_and_a_single_broker_one(brokers: int, expected: Durability) -> None:
    assert durability(KafkaSettings(), brokers) == expected


def test_the_settings_and_the_callers_factor_win_over_the_cluster_size() -> None:
    assert durability(KafkaSettings(replication_factor=2), 3) == Durability(2, 1)
    assert durability(KafkaSettings(replication_factor=5, min_insync_replicas=3), 5) == Durability(5, 3)
    assert durability(KafkaSettings(), 1, replication_factor=3) == Durability(3, 2)


def test_no_topic_is_created_with_unclean_leader_election() -> None:
    assert durability(KafkaSettings(), 3).topic_configs() == {
        "min.insync.replicas": "2",
        "unclean.leader.election.enable": "false",
    }


def test_a_min_isr_above_the_copies_is_refused() -> None:
    with pytest.raises(ValueError, match="more than the replication factor"):
        durability(KafkaSettings(min_insync_replicas=2), 1)


@pytest.mark.parametrize("name", ["CARERELAY_KAFKA_REPLICATION_FACTOR", "CARERELAY_KAFKA_MIN_INSYNC_REPLICAS"])
@pytest.mark.parametrize("value", ["0", "-1", "three"])
def test_bad_durability_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name.removeprefix("CARERELAY_KAFKA_").lower()):
        KafkaSettings()


@pytest.mark.integration
async def test_on_the_single_local_broker_topics_keep_one_copy_and_asking_for_three_fails() -> None:
    settings = KafkaSettings(topic_prefix=f"t{uuid4().hex[:10]}.")
    admin = AIOKafkaAdminClient(**connection_options(settings))
    await admin.start()
    try:
        with pytest.raises(InvalidReplicationFactorError, match="creating topic"):
            await ensure_topics(settings, replication_factor=3)
        assert set(await ensure_topics(settings)) == set(all_topic_names(settings))
        name = topic_name(Topic.REFERRAL, settings.topic_prefix)
        (described,) = await admin.describe_topics([name])
        assert {len(partition["replicas"]) for partition in described["partitions"]} == {1}
        wanted = ConfigResource(ConfigResourceType.TOPIC, name, {"min.insync.replicas": None})
        (response,) = await admin.describe_configs([wanted])
        (resource,) = response.to_object()["resources"]
        assert [entry["config_value"] for entry in resource["config_entries"]] == ["1"]
    finally:
        try:
            await admin.delete_topics(all_topic_names(settings))
        finally:
            await admin.close()
