"""Seeing it, for `make run OBSERVE=1`: Jaeger (the real one, built from the Go module proxy by the
Makefile's `observe-tools`) receiving every service's spans over OTLP/HTTP and keeping them in memory,
and Prometheus (Debian's package) scraping every service's `/metrics` and itself, its data in the data
dir. Both run under the supervisor like the other processes: pid files, health, stop order.

`prometheus_config` is also what infra/observability/prometheus.yml (docker compose) is made of, with
the services on the Docker host instead of on loopback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .processes import ServiceProcess
from .settings import SERVICES, ObserveSettings, StackPorts

SCRAPE_INTERVAL = "5s"


def otlp_endpoint(ports: StackPorts) -> str:
    """Where the services export their spans (`CARERELAY_OTEL_OTLP_ENDPOINT`): Jaeger's OTLP/HTTP receiver."""
    return f"http://127.0.0.1:{ports.jaeger_otlp_port}/v1/traces"


def jaeger_config(ports: StackPorts, max_traces: int = 50_000) -> dict[str, Any]:
    """Jaeger v2's configuration (an OpenTelemetry collector's): OTLP/HTTP in, memory storage, the UI and
    query API, a health check; every port on loopback and from `ports`, its own telemetry off."""
    loopback = "127.0.0.1"
    return {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            "pipelines": {
                "traces": {"receivers": ["otlp"], "processors": ["batch"], "exporters": ["jaeger_storage_exporter"]}
            },
            "telemetry": {"resource": {"service.name": "jaeger"}, "metrics": {"level": "none"}, "logs": {"level": "warn"}},
        },
        "extensions": {
            "jaeger_query": {
                "storage": {"traces": "memory_store"},
                "http": {"endpoint": f"{loopback}:{ports.jaeger_port}"},
                "grpc": {"endpoint": f"{loopback}:{ports.jaeger_grpc_port}"},
            },
            "jaeger_storage": {"backends": {"memory_store": {"memory": {"max_traces": max_traces}}}},
            "healthcheckv2": {"use_v2": True, "http": {"endpoint": f"{loopback}:{ports.jaeger_health_port}"}},
        },
        "receivers": {"otlp": {"protocols": {"http": {"endpoint": f"{loopback}:{ports.jaeger_otlp_port}"}}}},
        "processors": {"batch": {}},
        "exporters": {"jaeger_storage_exporter": {"trace_storage": "memory_store"}},
    }


def prometheus_config(services: Mapping[str, Sequence[str]], itself: str) -> dict[str, Any]:
    """Prometheus's configuration: one job per service (`job="referral"`, ...) scraping each `host:port` of
    its instances in `services` at /metrics, and one for Prometheus itself."""
    jobs: dict[str, Sequence[str]] = {"prometheus": [itself], **services}
    return {
        "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": "15s"},
        "scrape_configs": [
            {"job_name": job, "metrics_path": "/metrics", "static_configs": [{"targets": list(targets)}]}
            for job, targets in jobs.items()
        ],
    }


def local_prometheus_config(ports: StackPorts) -> dict[str, Any]:
    """What `make run OBSERVE=1`'s Prometheus scrapes: every instance of the four services, and itself, on loopback."""
    return prometheus_config(
        {service: [f"127.0.0.1:{port}" for port in ports.instance_ports(service)] for service in SERVICES},
        f"127.0.0.1:{ports.prometheus_port}",
    )


def write_yaml(path: Path, config: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(config), sort_keys=False))
    return path


def jaeger_process(data: Path, ports: StackPorts, settings: ObserveSettings) -> ServiceProcess:
    if not settings.jaeger_bin.is_file():
        raise RuntimeError(f"Jaeger is not built at {settings.jaeger_bin}: `make run OBSERVE=1` (`make observe-tools`) builds it")
    config = write_yaml(data / "jaeger" / "config.yaml", jaeger_config(ports))
    return ServiceProcess(
        "jaeger",
        ports.jaeger_port,
        {},
        data / "logs" / "jaeger.log",
        health_path="/status",
        command=[str(settings.jaeger_bin), "--config", str(config)],
        extra_ports=(ports.jaeger_otlp_port, ports.jaeger_grpc_port, ports.jaeger_health_port),
        cwd=data,
        health_port=ports.jaeger_health_port,
    )


def prometheus_process(data: Path, ports: StackPorts, settings: ObserveSettings) -> ServiceProcess:
    config = write_yaml(data / "prometheus" / "prometheus.yml", local_prometheus_config(ports))
    return ServiceProcess(
        "prometheus",
        ports.prometheus_port,
        {},
        data / "logs" / "prometheus.log",
        health_path="/-/ready",
        command=[
            settings.prometheus_bin,
            f"--config.file={config}",
            f"--storage.tsdb.path={data / 'prometheus' / 'data'}",
            "--storage.tsdb.retention.time=7d",
            f"--web.listen-address=127.0.0.1:{ports.prometheus_port}",
        ],
        cwd=data,
    )


def observe_processes(data: Path, ports: StackPorts, settings: ObserveSettings) -> list[ServiceProcess]:
    """Jaeger, then Prometheus: started before the services (so their first spans have somewhere to go)
    and so stopped after them (their last spans are received)."""
    return [jaeger_process(data, ports, settings), prometheus_process(data, ports, settings)]
