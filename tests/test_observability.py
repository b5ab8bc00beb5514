"""Seeing it (`make run OBSERVE=1`, infra/observability/): the Prometheus configuration the stack
generates is valid and scrapes every service and itself, Jaeger's listens where the ports say, the
compose files are what the stack generates, the dashboard is a dashboard whose every query names a
metric that exists, and each service's /metrics shows the operator's metrics, with no NHS number,
name or id in any label."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics_core import Metric

import carerelay_events.consumer
import carerelay_events.dead_letters
import carerelay_events.outbox
import carerelay_events.processing
import carerelay_scheduling.planning.run_metrics
import carerelay_triage.clock_timer
from carerelay_stack.observability import jaeger_config, local_prometheus_config
from carerelay_stack.settings import SERVICES, StackPorts

from .support.system import HUB_HANDLER, RunningSystem
from .support.waiting import eventually

REPO = Path(__file__).resolve().parents[1]
OBSERVABILITY = REPO / "infra" / "observability"
DASHBOARD = OBSERVABILITY / "grafana" / "dashboards" / "carerelay.json"
OPERATORS_METRICS = {
    "carerelay_consumer_lag",
    "carerelay_outbox_unpublished",
    "carerelay_dead_letters_total",
    "carerelay_response_clock_breaches_total",
    "carerelay_replan_seconds_bucket",
    "carerelay_planner_solve_seconds_bucket",
}
_DEFINED_IN = (
    carerelay_events.consumer,
    carerelay_events.dead_letters,
    carerelay_events.outbox,
    carerelay_events.processing,
    carerelay_scheduling.planning.run_metrics,
    carerelay_triage.clock_timer,
)


def default_ports() -> StackPorts:
    """The README's ports, whatever this environment sets."""
    return StackPorts.model_validate({name: field.default for name, field in StackPorts.model_fields.items()})


def moved_ports() -> StackPorts:
    return StackPorts.model_validate({name: 20000 + index for index, name in enumerate(StackPorts.port_fields())})


def exposed_names(metric: Metric) -> set[str]:
    """The series names a metric has on /metrics (a histogram's _bucket, _sum and _count, a counter's _total)."""
    suffixes = {"histogram": ("_bucket", "_sum", "_count"), "counter": ("_total",), "summary": ("_sum", "_count")}
    return {metric.name + suffix for suffix in suffixes.get(metric.type, ("",))}


def carerelay_metric_names() -> set[str]:
    return {name for metric in REGISTRY.collect() for name in exposed_names(metric) if name.startswith("carerelay_")}


def promtool(*args: str) -> subprocess.CompletedProcess[str] | None:
    """promtool (Debian's `prometheus` package, which `make run OBSERVE=1` installs), if this machine has it."""
    tool = shutil.which("promtool")
    return None if tool is None else subprocess.run([tool, *args], capture_output=True, text=True, check=False)


def test_the_generated_prometheus_config_scrapes_every_service_and_itself_on_their_ports(tmp_path: Path) -> None:
    ports = moved_ports()
    config = local_prometheus_config(ports)

    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {*SERVICES, "prometheus"}
    for service in SERVICES:
        assert jobs[service]["metrics_path"] == "/metrics"
        assert jobs[service]["static_configs"] == [{"targets": [f"127.0.0.1:{ports.service(service)}"]}]
    assert jobs["prometheus"]["static_configs"] == [{"targets": [f"127.0.0.1:{ports.prometheus_port}"]}]
    assert re.fullmatch(r"\d+s", config["global"]["scrape_interval"])

    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    checked = promtool("check", "config", str(path))
    assert checked is None or checked.returncode == 0, checked.stdout + checked.stderr


def test_the_generated_jaeger_config_receives_otlp_and_serves_its_ui_on_the_ports_given() -> None:
    ports = moved_ports()
    config = jaeger_config(ports)

    assert config["receivers"]["otlp"]["protocols"] == {"http": {"endpoint": f"127.0.0.1:{ports.jaeger_otlp_port}"}}
    query = config["extensions"]["jaeger_query"]
    assert query["http"]["endpoint"] == f"127.0.0.1:{ports.jaeger_port}"
    assert query["grpc"]["endpoint"] == f"127.0.0.1:{ports.jaeger_grpc_port}"
    assert config["extensions"]["healthcheckv2"]["http"]["endpoint"] == f"127.0.0.1:{ports.jaeger_health_port}"
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    store = query["storage"]["traces"]
    assert store in config["extensions"]["jaeger_storage"]["backends"]
    assert config["exporters"][pipeline["exporters"][0]]["trace_storage"] == store
    assert set(config["service"]["extensions"]) <= set(config["extensions"])


def test_the_compose_files_are_what_make_run_observe_generates() -> None:
    ports = default_ports()
    assert yaml.safe_load((OBSERVABILITY / "prometheus.yml").read_text()) == local_prometheus_config(ports)
    assert yaml.safe_load((OBSERVABILITY / "jaeger.yaml").read_text()) == jaeger_config(ports)

    compose = yaml.safe_load((OBSERVABILITY / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"jaeger", "prometheus", "grafana"}
    for name, service in compose["services"].items():
        assert service["network_mode"] == "host", f"{name} reaches the services on the host's loopback"
        assert re.search(r":v?\d+\.\d+\.\d+$", service["image"]), f"{name}'s image is pinned"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (OBSERVABILITY / source).exists(), f"{name} mounts {source}, which is missing"


def test_the_dashboard_is_a_dashboard_and_every_query_names_a_metric_that_exists(tmp_path: Path) -> None:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    datasources = yaml.safe_load((OBSERVABILITY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uids = {source["uid"] for source in datasources["datasources"]}
    assert dashboard["uid"]
    assert dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)

    known = carerelay_metric_names()
    queries = []
    for panel in panels:
        assert panel["type"] == "timeseries"
        assert panel["title"]
        grid = panel["gridPos"]
        assert all(isinstance(grid[key], int) for key in ("h", "w", "x", "y"))
        assert grid["x"] + grid["w"] <= 24, f"{panel['title']} is wider than the dashboard"
        assert panel["datasource"]["uid"] in uids
        assert panel["targets"]
        assert len({target["refId"] for target in panel["targets"]}) == len(panel["targets"])
        for target in panel["targets"]:
            names = set(re.findall(r"\bcarerelay_[a-z0-9_]+\b", target["expr"]))
            assert names <= known, f"{panel['title']} asks for {sorted(names - known)}, which no service exports"
            queries.append(target["expr"])
    every_name = {name for query in queries for name in re.findall(r"\bcarerelay_[a-z0-9_]+\b", query)}
    assert every_name >= OPERATORS_METRICS, f"the dashboard has no panel for {sorted(OPERATORS_METRICS - every_name)}"

    rules = tmp_path / "queries.yml"
    recorded = [{"record": f"carerelay:panel_query_{index}", "expr": query} for index, query in enumerate(queries)]
    rules.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recorded}]}))
    checked = promtool("check", "rules", str(rules))  # PromQL parsed by Prometheus itself, where it is installed
    assert checked is None or checked.returncode == 0, checked.stdout + checked.stderr


async def scrape(system: RunningSystem, service: str) -> str:
    async with httpx.AsyncClient(base_url=system.url(service), timeout=10) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


def has_series(text: str, name: str, **labels: str) -> bool:
    wanted = [f'{label}="{value}"' for label, value in labels.items()]
    return any(line.startswith(name + "{") and all(part in line for part in wanted) for line in text.splitlines())


@pytest.mark.integration
async def test_each_services_metrics_show_what_an_operator_needs_and_nothing_of_the_person(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=referral_body)
    assert response.status_code == 201, response.text
    referral_id, episode_id = response.json()["referral_id"], response.json()["episode_id"]
    await system.accept(referral_id)

    async def exposed() -> dict[str, str] | None:
        texts = {service: await scrape(system, service) for service in SERVICES}
        prefix = system.kafka.topic_prefix
        for service, text in texts.items():
            if not (
                has_series(text, "carerelay_consumer_lag", consumer=f"{prefix}carerelay-{service}")
                and has_series(text, "carerelay_outbox_unpublished", source=f"/carerelay/{service}")
                and "# TYPE carerelay_dead_letters_total counter" in text
            ):
                return None
        if not has_series(texts["triage"], "carerelay_response_clock_breaches_total", tier="ucr-2h"):
            return None
        scheduling = texts["scheduling"]
        trigger = "first-response visit planned"
        if not (
            has_series(scheduling, "carerelay_replan_seconds_bucket", trigger=trigger)
            and has_series(scheduling, "carerelay_planner_solve_seconds_bucket", trigger=trigger)
        ):
            return None
        return texts

    texts = await eventually(exposed, within=90, what="every service's /metrics to show its lag, backlog, dead letters, ...")
    patient = referral_body["patient"]
    for service, text in texts.items():
        for private in (patient["nhs_number"], patient["family_name"], patient["postcode"], referral_id, episode_id):
            assert private not in text, f"{service}'s /metrics carries {private!r}"
