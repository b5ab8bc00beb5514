"""`down` stops only what its data dir started: a broker recorded in another data dir's pid file, or
one whose pid a stale pid file happens to name, is left running. Stand-in brokers (a sleeping python
whose command line looks like the broker's) keep this fast: no Java, no real broker touched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from carerelay_infra import kafka_broker, postgres_server

LAUNCHER = Path(__file__).resolve().parents[1]


@pytest.fixture
def stand_in() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def broker_look_alike(started: list[subprocess.Popen[bytes]], config: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "kafka.Kafka", str(config)])
    started.append(process)
    deadline = time.monotonic() + 5
    while b"kafka.Kafka" not in Path(f"/proc/{process.pid}/cmdline").read_bytes():  # empty for a moment after exec
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return process


def test_down_leaves_a_broker_that_another_data_dir_started(tmp_path: Path, stand_in: list[subprocess.Popen[bytes]]) -> None:
    ours, theirs = tmp_path / "ours" / "kafka", tmp_path / "theirs" / "kafka"
    ours.mkdir(parents=True)
    broker = broker_look_alike(stand_in, theirs / "server.properties")
    (ours / "broker.pid").write_text(f"{broker.pid}\n")  # stale, or copied: it names their broker

    assert kafka_broker.stop(ours) is False
    time.sleep(0.2)
    assert broker.poll() is None, "their broker is still running"


def test_down_stops_the_broker_its_data_dir_started(tmp_path: Path, stand_in: list[subprocess.Popen[bytes]]) -> None:
    ours = tmp_path / "kafka"
    ours.mkdir()
    broker = broker_look_alike(stand_in, ours / "server.properties")
    (ours / "broker.pid").write_text(f"{broker.pid}\n")

    assert kafka_broker.stop(ours) is True
    assert broker.wait(timeout=5) != 0
    assert not (ours / "broker.pid").exists()


def test_down_with_a_fresh_data_dir_stops_nothing(tmp_path: Path) -> None:
    def up(port: int) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    before = {port: up(port) for port in (9092, 55432)}  # the shared broker and database, if they run
    assert postgres_server.is_running(tmp_path / "postgres") is False
    done = subprocess.run(
        [sys.executable, "-m", "carerelay_infra", "down"],
        env={**os.environ, "PYTHONPATH": str(LAUNCHER), "CARERELAY_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["postgres: not running", "kafka: not running"]
    assert {port: up(port) for port in before} == before
