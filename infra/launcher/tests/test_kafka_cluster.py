"""The three-broker cluster's layout, without Java: each broker on ports and in a data dir of its own,
all three voting, the broker's own topics kept three times with two in sync, and no unclean leader
election; one cluster id for all; a broker id outside 1-3 is refused, as the CLI's bad input is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from carerelay_infra import InfraError, kafka_broker, kafka_cluster
from carerelay_infra.kafka_cluster import KafkaCluster

LAUNCHER = Path(__file__).resolve().parents[1]


def properties(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_each_broker_has_its_own_ports_and_data_dir_and_all_three_vote(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path, port=29092, controller_port=29192)
    assert cluster.bootstrap_servers == "127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094"
    written = []
    for n in cluster.broker_ids:
        cluster.broker_dir(n).mkdir()
        written.append(properties(kafka_broker.write_config(cluster.broker_dir(n), cluster.node(n))))
    assert [config["node.id"] for config in written] == ["1", "2", "3"]
    assert [config["listeners"] for config in written] == [
        f"PLAINTEXT://127.0.0.1:{29092 + i},CONTROLLER://127.0.0.1:{29192 + i}" for i in range(3)
    ]
    assert {config["controller.quorum.voters"] for config in written} == {"1@127.0.0.1:29192,2@127.0.0.1:29193,3@127.0.0.1:29194"}
    assert len({config["log.dirs"] for config in written}) == 3
    for config in written:
        assert config["offsets.topic.replication.factor"] == config["default.replication.factor"] == "3"
        assert config["min.insync.replicas"] == config["transaction.state.log.min.isr"] == "2"
        assert config["unclean.leader.election.enable"] == "false"


def test_the_single_broker_keeps_one_copy(tmp_path: Path) -> None:
    config = properties(kafka_broker.write_config(tmp_path, kafka_broker.NodeConfig.single("127.0.0.1", 9092, 9093)))
    assert config["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert config["offsets.topic.replication.factor"] == config["min.insync.replicas"] == "1"


def test_one_cluster_id_for_every_broker_made_once_in_kafkas_form(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path)
    made = kafka_cluster._cluster_id(cluster)
    assert len(made) == 22
    assert not made.startswith("-")
    assert kafka_cluster._cluster_id(cluster) == made == (tmp_path / "cluster.id").read_text().strip()


@pytest.mark.parametrize("broker_id", [0, 4, -1])
def test_a_broker_the_cluster_does_not_have_is_refused(tmp_path: Path, broker_id: int) -> None:
    with pytest.raises(InfraError, match="brokers are 1 to 3"):
        kafka_cluster.kill(KafkaCluster(tmp_path), broker_id)


@pytest.mark.parametrize(
    "arguments",
    [
        ["cluster"],
        ["cluster", "kill"],
        ["cluster", "up", "2"],
        ["cluster", "restart", "1"],
        ["up", "down"],
        ["cluster", "kill", "x"],
    ],
)
def test_the_cli_refuses_bad_cluster_commands(tmp_path: Path, arguments: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "carerelay_infra", *arguments],
        env={**os.environ, "PYTHONPATH": str(LAUNCHER), "CARERELAY_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr


def test_status_of_a_cluster_not_running_says_each_broker_is_down(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "carerelay_infra", "cluster", "status"],
        env={**os.environ, "PYTHONPATH": str(LAUNCHER), "CARERELAY_DATA_DIR": str(tmp_path), "CARERELAY_CLUSTER_PORT": "29092"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.splitlines()) == (3, [f"broker {n}: down at 127.0.0.1:{29091 + n}" for n in (1, 2, 3)])
