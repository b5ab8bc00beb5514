"""CLI: ``PYTHONPATH=infra/launcher python3 -m carerelay_infra up|down|status``.

``up`` reuses a broker or database that already answers on its port, and starts (in the data dir)
only what does not. ``down`` stops only what was started from the data dir: the broker whose pid
(``<data>/kafka/broker.pid``) runs with this data dir's config, the cluster in ``<data>/postgres/pgdata``;
with another ``CARERELAY_DATA_DIR`` it leaves a shared Kafka and PostgreSQL running.

Environment: CARERELAY_DATA_DIR, CARERELAY_KAFKA_PORT (9092), CARERELAY_KAFKA_CONTROLLER_PORT
(9093), CARERELAY_KAFKA_HEAP (512m), CARERELAY_PG_PORT (55432), CARERELAY_KAFKA_BOOTSTRAP_SERVERS
(if any of its hosts is not loopback, no local broker is managed).
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

from carerelay_infra import InfraError, accepts_tcp, kafka_broker, paths, postgres_server

HOST = "127.0.0.1"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InfraError(f"{name} must be an integer, got {raw!r}") from None


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
    pg_port = _env_int("CARERELAY_PG_PORT", 55432)
    reused = accepts_tcp(HOST, pg_port)
    postgres_server.ensure_running(paths.postgres_data_dir(), HOST, pg_port)
    print(f"postgres: {'reused' if reused else 'started'} at {HOST}:{pg_port}")

    external = _external_bootstrap()
    if external is not None:
        print(f"kafka: external at {external} (no local broker)")
        return
    port = _env_int("CARERELAY_KAFKA_PORT", 9092)
    controller_port = _env_int("CARERELAY_KAFKA_CONTROLLER_PORT", 9093)
    heap = os.environ.get("CARERELAY_KAFKA_HEAP", "").strip() or "512m"
    reused = accepts_tcp(HOST, port)
    kafka_broker.ensure_running(paths.kafka_data_dir(), HOST, port, controller_port, heap)
    print(f"kafka: {'reused' if reused else 'started'} at {HOST}:{port}")


def _down() -> None:
    stopped = postgres_server.stop(paths.postgres_data_dir())
    print(f"postgres: {'stopped' if stopped else 'not running'}")
    stopped = kafka_broker.stop(paths.kafka_data_dir())
    print(f"kafka: {'stopped' if stopped else 'not running'}")


def _status() -> bool:
    pg_port = _env_int("CARERELAY_PG_PORT", 55432)
    pg_up = accepts_tcp(HOST, pg_port)
    print(f"postgres: {'up' if pg_up else 'down'} at {HOST}:{pg_port}")
    external = _external_bootstrap()
    if external is not None:
        print(f"kafka: external at {external} (not checked)")
        return pg_up
    port = _env_int("CARERELAY_KAFKA_PORT", 9092)
    kafka_up = accepts_tcp(HOST, port)
    print(f"kafka: {'up' if kafka_up else 'down'} at {HOST}:{port}")
    return pg_up and kafka_up


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the process exit code."""
    parser = argparse.ArgumentParser(prog="carerelay_infra", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            _up()
        elif args.command == "down":
            _down()
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
