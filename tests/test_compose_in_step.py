"""docker-compose.yml describes the same system as the launcher. No Docker engine runs here, so this
test keeps the two in step by reading both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from carerelay_stack.run import PORTS
from carerelay_stack.settings import SERVICES, StackSettings

REPO = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return document


def test_compose_runs_the_launchers_kafka_version_in_kraft_mode() -> None:
    pom_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", (REPO / "infra/kafka/pom.xml").read_text())
    assert pom_version is not None
    kafka = _compose()["services"]["kafka"]
    assert kafka["image"] == f"apache/kafka:{pom_version.group(1)}"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_every_service_runs_with_its_own_database_and_port() -> None:
    services = _compose()["services"]
    stack = StackSettings()
    init_sql = (REPO / "infra/postgres/init-databases.sql").read_text()
    for service in SERVICES:
        definition = services[service]
        command = definition["command"]
        assert "carerelay_" + service in (command if isinstance(command, str) else " ".join(command))
        env = definition["environment"]
        url = env[f"CARERELAY_{service.upper()}_DATABASE_URL"]
        role = stack.service_role(service)
        assert url.endswith(f"/{role}")
        assert f"//{role}:" in url
        assert f'"{role}"' in init_sql or f" {role} " in init_sql or f"{role};" in init_sql
        assert env["CARERELAY_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert any(str(PORTS[service]) in str(port) for port in definition.get("ports", []))


def test_the_image_installs_every_package_make_installs() -> None:
    makefile = (REPO / "Makefile").read_text()
    packages = re.search(r"^PACKAGES := (.+)$", makefile, re.MULTILINE)
    assert packages is not None
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in packages.group(1).split():
        if package.startswith("infra/"):
            continue  # the local stack tools are not part of the services' image
        assert f"-e {package}" in dockerfile, f"Dockerfile does not install {package}"
