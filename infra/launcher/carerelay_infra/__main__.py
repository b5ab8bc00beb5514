"""CLI: ``PYTHONPATH=infra/launcher python3 -m carerelay_infra up|down|status``, and
``... cluster up|down|status`` or ``... cluster kill|stop|start <broker id>`` for the three-broker cluster.

``up`` reuses a broker or database that already answers on its port, and starts (in the data dir)
only what does not. ``down`` stops only what was started from the data dir: the broker whose pid
(``<data>/kafka/broker.pid``) runs with this data dir's config, the cluster in ``<data>/postgres/pgdata``;
with another ``CARERELAY_DATA_DIR`` it leaves a shared Kafka and PostgreSQL running. It also stops a
three-broker cluster this data dir started, if one runs.

``cluster`` (``kafka_cluster``) runs three brokers in ``<data>/kafka-cluster``, beside the single
broker, never instead of it: ``up`` starts those not running, ``down`` stops all, ``status`` says which
run; ``kill N`` SIGKILLs broker N, ``stop N`` shuts it down, ``start N`` brings it back.

Environment: CARERELAY_DATA_DIR, CARERELAY_KAFKA_PORT (9092), CARERELAY_KAFKA_CONTROLLER_PORT
(9093), CARERELAY_KAFKA_HEAP (512m), CARERELAY_PG_PORT (55432), CARERELAY_KAFKA_BOOTSTRAP_SERVERS
(if any of its hosts is not loopback, no local broker is managed). For ``cluster``:
CARERELAY_CLUSTER_PORT (19092: brokers on 19092, 19093, 19094), CARERELAY_CLUSTER_CONTROLLER_PORT
(19192: controllers on 19192-19194), CARERELAY_CLUSTER_HEAP (384m, each).
Exit codes: 0 ok; 1 failure (one-line reason on stderr, then log details); 2 usage;
3 ``status`` found something down.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

if not __package__:  # run as `python3 infra/launcher/carerelay_infra ...`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from carerelay_infra import InfraError, accepts_tcp, env_int, kafka_broker, kafka_cluster, paths, postgres_server

HOST = "127.0.0.1"


def _is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _external_bootstrap() -> str | None:
    """Return CARERELAY_KAFKA_BOOTSTRAP_SERVERS if it names a non-loopback host, else None."""
    servers = os.environ.get("CARERELAY_KAFKA_BOOTSTRAP_SERVERS", "").strip()
    for server in filter(None, (s.strip() for s in servers.split(","))):
        host = server.split("://")[-1].rsplit(":", 1)[0]
        if not _is_loopback(host):
            return servers
    return None


def _up() -> None:
    pg_port = env_int("CARERELAY_PG_PORT", 55432)
    reused = accepts_tcp(HOST, pg_port)
    postgres_server.ensure_running(paths.postgres_data_dir(), HOST, pg_port)
    print(f"postgres: {'reused' if reused else 'started'} at {HOST}:{pg_port}")

    external = _external_bootstrap()
    if external is not None:
        print(f"kafka: external at {external} (no local broker)")
        return
    port = env_int("CARERELAY_KAFKA_PORT", 9092)
    controller_port = env_int("CARERELAY_KAFKA_CONTROLLER_PORT", 9093)
    heap = os.environ.get("CARERELAY_KAFKA_HEAP", "").strip() or "512m"
    reused = accepts_tcp(HOST, port)
    kafka_broker.ensure_running(paths.kafka_data_dir(), HOST, port, controller_port, heap)
    print(f"kafka: {'reused' if reused else 'started'} at {HOST}:{port}")


def _down() -> None:
    stopped = postgres_server.stop(paths.postgres_data_dir())
    print(f"postgres: {'stopped' if stopped else 'not running'}")
    stopped = kafka_broker.stop(paths.kafka_data_dir())
    print(f"kafka: {'stopped' if stopped else 'not running'}")
    if brokers := kafka_cluster.down(kafka_cluster.from_env()):
        print(f"kafka cluster: stopped brokers {', '.join(map(str, brokers))}")


def _cluster(action: str, broker_id: int | None) -> bool:
    """Run one ``cluster`` action; False when ``status`` finds a broker down."""
    cluster = kafka_cluster.from_env()
    if action == "up":
        started = kafka_cluster.up(cluster)
        print(f"kafka cluster: {'started brokers ' + ', '.join(map(str, started)) if started else 'already running'}")
        print(f"bootstrap servers: {cluster.bootstrap_servers}")
    elif action == "down":
        stopped = kafka_cluster.down(cluster)
        print(f"kafka cluster: {'stopped brokers ' + ', '.join(map(str, stopped)) if stopped else 'not running'}")
    elif action == "status":
        running = kafka_cluster.status(cluster)
        for n, up in running.items():
            print(f"broker {n}: {'up' if up else 'down'} at {HOST}:{cluster.client_port(n)}")
        return all(running.values())
    else:
        assert broker_id is not None  # main() saw to it
        done = {"kill": kafka_cluster.kill, "stop": kafka_cluster.stop, "start": kafka_cluster.start}[action](cluster, broker_id)
        past = {"kill": "killed", "stop": "stopped", "start": "started"}[action]
        print(f"broker {broker_id}: {past if done else 'already ' + ('running' if action == 'start' else 'down')}")
    return True


def _status() -> bool:
    pg_port = env_int("CARERELAY_PG_PORT", 55432)
    pg_up = accepts_tcp(HOST, pg_port)
    print(f"postgres: {'up' if pg_up else 'down'} at {HOST}:{pg_port}")
    external = _external_bootstrap()
    if external is not None:
        print(f"kafka: external at {external} (not checked)")
        return pg_up
    port = env_int("CARERELAY_KAFKA_PORT", 9092)
    kafka_up = accepts_tcp(HOST, port)
    print(f"kafka: {'up' if kafka_up else 'down'} at {HOST}:{port}")
    return pg_up and kafka_up


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the process exit code."""
    parser = argparse.ArgumentParser(prog="carerelay_infra", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status", "cluster"])
    parser.add_argument("action", nargs="?", choices=["up", "down", "status", "kill", "stop", "start"], help="with 'cluster'")
    parser.add_argument("broker_id", nargs="?", type=int, help="with 'cluster kill|stop|start'")
    args = parser.parse_args(argv)
    if (args.command == "cluster") != (args.action is not None):
        parser.error("'cluster' takes an action (up, down, status, kill, stop, start); the others take none")
    if (args.action in ("kill", "stop", "start")) != (args.broker_id is not None):
        parser.error("'cluster kill|stop|start' take a broker id (1 to 3); the others take none")
    try:
        if args.command == "up":
            _up()
        elif args.command == "down":
            _down()
        elif args.command == "cluster":
            if not _cluster(args.action, args.broker_id):
                return 3
        elif not _status():
            return 3
    except InfraError as error:
        print(f"carerelay_infra {args.command}: {error}", file=sys.stderr)
        if error.details:
            print(error.details, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
