"""A three-broker KRaft Kafka cluster on this machine, for the fault suite: the same jars as the single
broker, each node a broker and a controller (three voters, so losing any one keeps the quorum), on
ports and in data dirs of its own. The broker's own topics keep three copies with two in sync, and
no unclean leader election: the settings a production cluster has.

Layout of ``data_dir`` (``<data>/kafka-cluster``): ``cluster.id`` (made once; every node is formatted
with it) and ``broker-<id>/``, each laid out as ``kafka_broker`` says (``server.properties``,
``logs/``, ``server.log``, ``broker.out``, ``broker.pid``).

Tests drive one broker by id: ``kill`` (SIGKILL), ``stop`` (SIGTERM, a controlled shutdown),
``start`` (back, waited for until ready), ``restart`` (one then the other).
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from carerelay_infra import InfraError, accepts_tcp, env_int, kafka_broker, paths

SIZE = 3
REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2


@dataclass(frozen=True)
class KafkaCluster:
    """Where the cluster lives: broker ``n`` (1..size) serves ``host:port + n - 1`` and votes on
    ``host:controller_port + n - 1``, from ``data_dir/broker-<n>``."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 19092
    controller_port: int = 19192
    heap: str = "384m"
    size: int = SIZE

    @property
    def broker_ids(self) -> list[int]:
        return list(range(1, self.size + 1))

    def client_port(self, broker_id: int) -> int:
        return self.port + self._index(broker_id)

    @property
    def bootstrap_servers(self) -> str:
        """Every broker, comma-separated: what ``CARERELAY_KAFKA_BOOTSTRAP_SERVERS`` takes."""
        return ",".join(f"{self.host}:{self.client_port(n)}" for n in self.broker_ids)

    def broker_dir(self, broker_id: int) -> Path:
        self._index(broker_id)
        return self.data_dir.resolve() / f"broker-{broker_id}"

    def node(self, broker_id: int) -> kafka_broker.NodeConfig:
        voters = ",".join(f"{n}@{self.host}:{self.controller_port + self._index(n)}" for n in self.broker_ids)
        return kafka_broker.NodeConfig(
            node_id=broker_id,
            host=self.host,
            port=self.client_port(broker_id),
            controller_port=self.controller_port + self._index(broker_id),
            voters=voters,
            replication_factor=min(REPLICATION_FACTOR, self.size),
            min_insync_replicas=min(MIN_INSYNC_REPLICAS, self.size),
        )

    def _index(self, broker_id: int) -> int:
        if broker_id not in range(1, self.size + 1):
            raise InfraError(f"no broker {broker_id}: the cluster's brokers are 1 to {self.size}")
        return broker_id - 1


def from_env() -> KafkaCluster:
    """The cluster of this data dir (``paths.kafka_cluster_dir``) on the ports the environment names:
    CARERELAY_CLUSTER_PORT (19092), CARERELAY_CLUSTER_CONTROLLER_PORT (19192), CARERELAY_CLUSTER_HEAP (384m)."""
    return KafkaCluster(
        paths.kafka_cluster_dir(),
        port=env_int("CARERELAY_CLUSTER_PORT", 19092),
        controller_port=env_int("CARERELAY_CLUSTER_CONTROLLER_PORT", 19192),
        heap=os.environ.get("CARERELAY_CLUSTER_HEAP", "").strip() or "384m",
    )


def is_running(cluster: KafkaCluster, broker_id: int) -> bool:
    """True if broker ``broker_id``'s process (started from this data dir) runs and its port answers."""
    return kafka_broker.read_pid(cluster.broker_dir(broker_id)) is not None and accepts_tcp(
        cluster.host, cluster.client_port(broker_id)
    )


def status(cluster: KafkaCluster) -> dict[int, bool]:
    """Each broker id, and whether it is running (``is_running``)."""
    return {n: is_running(cluster, n) for n in cluster.broker_ids}


def up(cluster: KafkaCluster) -> list[int]:
    """Start every broker that is not running, all at once (a node finishes starting only when a
    quorum of controllers is up), and wait until each is ready. Returns the ids started."""
    wanted = [n for n in cluster.broker_ids if not is_running(cluster, n)]
    try:
        launched = [_launch(cluster, n) for n in wanted]
        for n, node in zip(wanted, launched, strict=True):
            kafka_broker.wait_until_ready(node, cluster.host, cluster.client_port(n))
    except InfraError:
        for n in wanted:  # leave nothing half-started behind
            kafka_broker.stop(cluster.broker_dir(n))
        raise
    return wanted


def start(cluster: KafkaCluster, broker_id: int) -> bool:
    """Start broker ``broker_id`` (after ``kill`` or ``stop``) and wait until it is ready; the others
    must be running for it to join. False if it was running already."""
    if is_running(cluster, broker_id):
        return False
    kafka_broker.wait_until_ready(_launch(cluster, broker_id), cluster.host, cluster.client_port(broker_id))
    return True


def kill(cluster: KafkaCluster, broker_id: int) -> bool:
    """SIGKILL broker ``broker_id``, as a crash or an OOM kill would. False if it was not running."""
    return kafka_broker.kill(cluster.broker_dir(broker_id))


def stop(cluster: KafkaCluster, broker_id: int) -> bool:
    """Stop broker ``broker_id`` (SIGTERM: a controlled shutdown). False if it was not running."""
    return kafka_broker.stop(cluster.broker_dir(broker_id))


def restart(cluster: KafkaCluster, broker_id: int, *, crash: bool = True) -> None:
    """Take broker ``broker_id`` down (SIGKILL with ``crash``, else a controlled shutdown) and start it
    again, waiting until it is ready."""
    (kill if crash else stop)(cluster, broker_id)
    start(cluster, broker_id)


def down(cluster: KafkaCluster) -> list[int]:
    """Stop every broker this data dir started, all at once (stopped one by one, the last would wait
    for a quorum that has gone); returns the ids stopped."""
    asked = [n for n in cluster.broker_ids if kafka_broker.request_stop(cluster.broker_dir(n))]
    for n in asked:
        kafka_broker.stop(cluster.broker_dir(n))
    return asked


def _launch(cluster: KafkaCluster, broker_id: int) -> kafka_broker.Launched:
    data_dir = cluster.broker_dir(broker_id)
    port = cluster.client_port(broker_id)
    if (pid := kafka_broker.read_pid(data_dir)) is not None:
        raise InfraError(
            f"Kafka broker {broker_id} (pid {pid}) is running but {cluster.host}:{port} is not accepting; "
            "run 'cluster down' first",
            kafka_broker.log_tail(data_dir),
        )
    node = cluster.node(broker_id)
    for taken in (port, node.controller_port):
        if accepts_tcp(cluster.host, taken):
            raise InfraError(f"{cluster.host}:{taken} (broker {broker_id}) is taken by a process this data dir did not start")
    kafka_broker.fetch_jars()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = kafka_broker.write_config(data_dir, node)
    kafka_broker.format_storage(data_dir, config, _cluster_id(cluster))
    return kafka_broker.launch(data_dir, cluster.heap, min_heap="128m")


def _cluster_id(cluster: KafkaCluster) -> str:
    """The cluster's id, made on first use and kept in ``cluster.id``: a random UUID in Kafka's form
    (URL-safe base64, no padding, not starting with '-'), as ``kafka-storage random-uuid`` makes."""
    path = cluster.data_dir.resolve() / "cluster.id"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    made = "-"
    while made.startswith("-"):
        made = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(made + "\n", encoding="utf-8")
    return made
