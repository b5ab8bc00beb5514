"""`make run` -> `make stop` -> `make run` -> `make stop`, as a developer types them: the system is up
after each run (every process answers, the demo loads), and each stop returns only once every port
is free and nothing the run started is left in the process table.

The run has a data dir of its own (`CARERELAY_DATA_DIR`, so `make stop`'s `down` stops no broker or
database: it started none), its own ports, topics and databases, so it runs beside the shared Kafka
and PostgreSQL and beside a developer's `make run`. It needs the Kafka and PostgreSQL that `make test`
starts and skips without them: started here, they would be stopped here, under the other tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from carerelay_events.admin import all_topic_names
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import connection_options
from carerelay_stack import pidfiles
from carerelay_stack.provision import drop_database
from carerelay_stack.settings import SERVICES, StackPorts, StackSettings

from .support.system import free_port

REPO = Path(__file__).resolve().parents[1]
UP = "CareRelay is up"
START_TIMEOUT, STOP_TIMEOUT = 90.0, 60.0


def connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def shared_infra() -> tuple[tuple[str, int], tuple[str, int]]:
    kafka = KafkaSettings().bootstrap_servers.split(",")[0].rsplit(":", 1)
    stack = StackSettings()
    return (kafka[0], int(kafka[1])), (stack.host, stack.port)


def make_env(data: Path, run_id: str, ports: dict[str, int]) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env |= {f"CARERELAY_{name.upper()}": str(port) for name, port in ports.items()}
    env |= {
        "CARERELAY_DATA_DIR": str(data),
        "CARERELAY_KAFKA_TOPIC_PREFIX": f"r{run_id}.",
        "CARERELAY_PG_DATABASE_PREFIX": f"r{run_id}_",
        "CARERELAY_SCHEDULING_DAY_PLAN_SECONDS": "1",  # the demo plans two days; the solver's budget is not under test
    }
    return env


def processes_of(data: Path) -> list[int]:
    """Every process (of ours, readable) whose environment names the run's data dir: all the run started."""
    marker = f"CARERELAY_DATA_DIR={data}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


def wait_until_up(run: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while UP not in log.read_text(errors="replace"):
        assert run.poll() is None, f"make run exited with {run.returncode}:\n{tail(log)}"
        assert time.monotonic() < deadline, f"make run not up after {START_TIMEOUT:.0f} s:\n{tail(log)}"
        time.sleep(0.2)


def answering(ports: dict[str, int]) -> dict[str, int]:
    """What each process answers on its health page (the web origin: the hub's page)."""
    pages = {
        "issuer": f"http://127.0.0.1:{ports['issuer_port']}/.well-known/openid-configuration",
        "mailbox": f"http://127.0.0.1:{ports['mailbox_port']}/health",
        "web origin": f"http://127.0.0.1:{ports['web_port']}/hub/",
        **{service: f"http://127.0.0.1:{ports[f'{service}_port']}/health" for service in SERVICES},
    }
    return {name: httpx.get(url, timeout=5).status_code for name, url in pages.items()}


async def remove_topics_and_databases(run_id: str) -> None:
    stack = StackSettings()
    for service in SERVICES:
        await drop_database(stack.admin_url(), f"r{run_id}_{service}")
    kafka = KafkaSettings(topic_prefix=f"r{run_id}.")
    admin = AIOKafkaAdminClient(**connection_options(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        if ours := [name for name in all_topic_names(kafka) if name in existing]:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


def test_run_stop_run_stop(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("needs make")
    (kafka_host, kafka_port), (pg_host, pg_port) = shared_infra()
    if not (connects(kafka_host, kafka_port) and connects(pg_host, pg_port)):
        pytest.skip("needs the Kafka and PostgreSQL `make test` starts (started here, they would be stopped here)")
    run_id = uuid4().hex[:8]
    data = tmp_path / "data"
    ports = {name: free_port() for name in StackPorts.port_fields()}
    env = make_env(data, run_id, ports)
    run: subprocess.Popen[bytes] | None = None
    try:
        for attempt in (1, 2):
            log = tmp_path / f"run-{attempt}.log"
            with log.open("wb") as out:
                run = subprocess.Popen(
                    ["make", "--no-print-directory", "run"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            wait_until_up(run, log)
            assert answering(ports) == dict.fromkeys(["issuer", "mailbox", "web origin", *SERVICES], 200), f"run {attempt}"
            recorded = pidfiles.started_processes(data)
            assert [record.name for record in recorded] == ["issuer", "mailbox", *SERVICES, "web-origin"]
            assert processes_of(data), "the run's processes carry its data dir"

            stop = subprocess.run(
                ["make", "--no-print-directory", "stop"], cwd=REPO, env=env, capture_output=True, text=True, timeout=STOP_TIMEOUT
            )
            assert stop.returncode == 0, stop.stdout + stop.stderr
            assert "stack: stopped make run" in stop.stdout, stop.stdout
            # The moment `make stop` returns: every port free, every process of the run gone.
            assert [port for port in ports.values() if not pidfiles.port_free(port)] == [], f"stop {attempt}"
            assert [record.name for record in recorded if pidfiles.is_running(record)] == []
            assert run.wait(timeout=10) == 0, tail(log)
            assert processes_of(data) == [], f"left running after stop {attempt}"
            assert list(pidfiles.run_dir(data).glob("*.json")) == [], "pid files are removed"
            # The shared broker and database are still there: this data dir did not start them.
            assert connects(kafka_host, kafka_port), "the shared Kafka is still up"
            assert connects(pg_host, pg_port), "the shared PostgreSQL is still up"
    finally:
        if run is not None and run.poll() is None:
            subprocess.run(["make", "--no-print-directory", "stop"], cwd=REPO, env=env, capture_output=True, timeout=STOP_TIMEOUT)
            run.wait(timeout=10)
        asyncio.run(remove_topics_and_databases(run_id))
