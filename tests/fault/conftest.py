"""The fault suite's fixtures: a three-broker KRaft cluster (the launcher's `kafka_cluster`), started
once a session on ports and in a data dir of its own (19092-19094, `<data>/kafka-cluster`), beside the
single broker the rest of the tests use. Tests kill, stop and restart its brokers one at a time; at
the end of the session it is stopped, unless it was already running when the session began (a
developer's `python -m carerelay_infra cluster up`), and then every broker is brought back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from carerelay_infra import kafka_cluster
from carerelay_infra.kafka_cluster import KafkaCluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[KafkaCluster]:
    running = kafka_cluster.from_env()
    started = kafka_cluster.up(running)
    try:
        yield running
    finally:
        if started:
            kafka_cluster.down(running)
        else:
            kafka_cluster.up(running)
