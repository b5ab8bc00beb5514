"""docker-compose.yml describes the same system as the launcher. No Docker engine runs here, so this
test keeps the two in step by reading both: the services, their databases and settings, and the one
web origin (infra/nginx/compose.conf against infra/nginx/carerelay.conf.template, the front ends its
Dockerfile builds, and the sign-in issuer it publishes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template
from typing import Any

import yaml
from pydantic_settings import BaseSettings

from carerelay_access.settings import AuthSettings, SecuredServiceSettings
from carerelay_events.settings import ConsumerSettings, KafkaSettings, TracingSettings
from carerelay_notifications.settings import NotificationsSettings
from carerelay_referral.settings import ReferralSettings
from carerelay_scheduling.settings import SchedulingSettings
from carerelay_stack.run import PORTS, WEB_PORT
from carerelay_stack.settings import SERVICES, StackSettings
from carerelay_triage.settings import TriageSettings

REPO = Path(__file__).resolve().parents[1]
NGINX = REPO / "infra" / "nginx"
SITE = "/usr/share/nginx/carerelay"
"""Where infra/nginx/Dockerfile puts the front ends in the web origin's image."""
WEB = "web"
"""The front ends' npm workspace: web/shared, and the two front ends below."""
FRONT_ENDS = {"hub": "web/hub", "app": "web/clinician"}
"""Where each front end is served (/hub/, /app/): its folder in the workspace."""
SHARED = "web/shared"
"""The modules both front ends import (../../shared/dist/), served at /shared/dist/."""
KEYCLOAK = "keycloak:8080"
SERVICE_SETTINGS: dict[str, type[SecuredServiceSettings]] = {
    "referral": ReferralSettings,
    "triage": TriageSettings,
    "scheduling": SchedulingSettings,
    "notifications": NotificationsSettings,
}
SHARED_SETTINGS: list[type[BaseSettings]] = [AuthSettings, KafkaSettings, TracingSettings, ConsumerSettings]


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
        if package.startswith("infra/") or package == "libs/testing":
            continue  # the local stack tools and the test support are not part of the services' image
        assert f"-e {package}" in dockerfile, f"Dockerfile does not install {package}"


def _env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


def test_every_setting_compose_gives_a_service_is_one_it_reads() -> None:
    services = _compose()["services"]
    shared = set().union(*(_env_names(settings) for settings in SHARED_SETTINGS))
    for service, settings in SERVICE_SETTINGS.items():
        known = _env_names(settings) | shared
        unknown = {name for name in services[service]["environment"] if name.startswith("CARERELAY_")} - known
        assert not unknown, f"{service}: compose sets {sorted(unknown)}, which {settings.__name__} does not read"


def test_compose_sets_every_planner_setting() -> None:
    env = _compose()["services"]["scheduling"]["environment"]
    planner = set(SchedulingSettings.model_fields) - set(SecuredServiceSettings.model_fields) - {"database_url", "port"}
    assert planner, "SchedulingSettings has no planner settings?"
    for name in planner:
        assert f"CARERELAY_SCHEDULING_{name.upper()}" in env, f"docker-compose.yml: scheduling has no {name}"
        SchedulingSettings.model_validate({"database_url": "x", name: env[f"CARERELAY_SCHEDULING_{name.upper()}"]})


def test_email_goes_to_a_service_of_the_compose_file() -> None:
    services = _compose()["services"]
    env = services["notifications"]["environment"]
    host = env.get("CARERELAY_NOTIFICATIONS_SMTP_HOST")
    if host is not None:
        assert host in services, f"notifications sends email to {host}, which is not a compose service"
        assert host in services["notifications"]["depends_on"]


# ---------------------------------------------------------------------------------- the web origin


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0].rstrip() for line in text.splitlines())


def _locations(config: str) -> dict[str, list[str]]:
    """Each `location <match> { ... }` of an nginx config: its directives, one per line, normalised."""
    text = _strip_comments(config)
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"location\s+([^{]+?)\s*\{", text):
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        body = text[match.end() : end - 1]
        found[" ".join(match.group(1).split())] = [" ".join(line.split()) for line in body.split(";") if line.strip()]
    return found


def _server_headers(config: str) -> list[str]:
    server = _strip_comments(config).split("server {", 1)[1].split("location", 1)[0]
    return [" ".join(line.split()) for line in server.split(";") if line.strip().startswith("add_header")]


def _template_for_compose() -> str:
    """carerelay.conf.template rendered with the compose network's names for its upstreams and the
    image's folders: what infra/nginx/compose.conf must say, location for location."""
    upstreams = {f"{service}_port": f"@{service}" for service in PORTS} | {"issuer_port": "@issuer"}
    rendered = Template((NGINX / "carerelay.conf.template").read_text()).safe_substitute(
        hub_dir=f"{SITE}/hub", app_dir=f"{SITE}/app", shared_dir=f"{SITE}/shared", **upstreams
    )
    for service, port in PORTS.items():
        rendered = rendered.replace(f"http://127.0.0.1:@{service}", f"http://{service}:{port}")
    return rendered.replace("http://127.0.0.1:@issuer", f"http://{KEYCLOAK}")


def test_the_web_origin_is_a_compose_service_in_front_of_every_other() -> None:
    services = _compose()["services"]
    web = services["web"]
    assert web["build"] == {"context": ".", "dockerfile": "infra/nginx/Dockerfile"}
    assert f"{WEB_PORT}:8080" in web["ports"]
    assert re.search(r"^\s*listen 8080;", (NGINX / "compose.conf").read_text(), re.MULTILINE)
    assert set(web["depends_on"]) >= {*SERVICES, "keycloak"}
    for service in SERVICES:
        env = services[service]["environment"]
        assert env[f"CARERELAY_{service.upper()}_HOST"] == "0.0.0.0"
        assert env[f"CARERELAY_{service.upper()}_PORT"] == str(PORTS[service])


def test_the_compose_web_origin_is_the_template_for_the_compose_network() -> None:
    template, compose = _template_for_compose(), (NGINX / "compose.conf").read_text()
    expected, actual = _locations(template), _locations(compose)
    assert expected, "no locations found in carerelay.conf.template"
    for where, directives in expected.items():
        assert where in actual, f"infra/nginx/compose.conf has no `location {where}` (the template has)"
        if where == "/auth/":
            # The issuer's catch-all: the dev issuer locally, Keycloak here (its own paths, below).
            assert actual[where][0] == f"proxy_pass http://{KEYCLOAK}/"
            continue
        assert actual[where] == directives, f"location {where}: compose.conf differs from the template"
    assert set(actual) - set(expected) <= {"= /auth/authorize", "= /auth/token"}, set(actual) - set(expected)
    assert _server_headers(compose) == _server_headers(template), "the server's headers differ from the template's"
    assert "proxy_buffering off" in actual["/api/notifications/stream"], "the live stream must never be buffered"


def test_sign_in_through_the_web_origin_is_the_issuer_the_services_trust() -> None:
    services = _compose()["services"]
    public = services["keycloak"]["environment"]["KC_HOSTNAME"]
    assert public == f"http://127.0.0.1:{WEB_PORT}/auth", "Keycloak must be published where browsers reach it: the web origin"
    for service in SERVICES:
        env = services[service]["environment"]
        assert env["CARERELAY_AUTH_ISSUER"] == f"{public}/realms/carerelay"
        assert env["CARERELAY_AUTH_JWKS_URL"] == f"http://{KEYCLOAK}/realms/carerelay/protocol/openid-connect/certs"
        origins = json.loads(env["CARERELAY_AUTH_ALLOWED_ORIGINS"]) if "CARERELAY_AUTH_ALLOWED_ORIGINS" in env else None
        assert f"http://127.0.0.1:{WEB_PORT}" in (origins or AuthSettings().allowed_origins)
    realm = json.loads((REPO / "infra/keycloak/carerelay-realm.json").read_text())
    (web_client,) = [client for client in realm["clients"] if client["clientId"] == "carerelay-web"]
    for front_end in FRONT_ENDS:
        redirect = f"http://127.0.0.1:{WEB_PORT}/{front_end}/"
        assert any(re.fullmatch(re.escape(uri).replace(r"\*", ".*"), redirect) for uri in web_client["redirectUris"])
    auth = (REPO / SHARED / "src" / "auth.ts").read_text()  # the two endpoints compose.conf maps to Keycloak's
    assert set(re.findall(r"[`\"](/auth/[a-z]+)", auth)) == {"/auth/authorize", "/auth/token"}
    for front_end, source in FRONT_ENDS.items():  # each signs in with the redirect URI <origin>/<front end>/
        assert f'path: "{front_end}"' in (REPO / source / "src" / "sign-in.ts").read_text(), source


def test_the_image_builds_and_serves_every_file_the_front_ends_load() -> None:
    dockerfile = re.sub(r"\\\n\s*", " ", (NGINX / "Dockerfile").read_text())  # continuation lines joined
    makefile = (REPO / "Makefile").read_text()
    web_packages = re.search(r"^WEB_PACKAGES := (.+)$", makefile, re.MULTILINE)
    assert web_packages is not None
    packages = {source.removeprefix(f"{WEB}/"): source for source in (*FRONT_ENDS.values(), SHARED)}  # folder: path
    assert set(web_packages.group(1).replace("$(WEB)", WEB).split()) == set(packages.values())
    assert set(json.loads((REPO / WEB / "package.json").read_text())["workspaces"]) == set(packages)
    assert "COPY infra/nginx/compose.conf /etc/nginx/nginx.conf" in dockerfile
    assert f"COPY --from=web /site {SITE}" in dockerfile
    # One workspace: its one lockfile, one npm ci, one tsc -b over every package.
    assert f"COPY {WEB}/package.json {WEB}/package-lock.json {WEB}/tsconfig.base.json {WEB}/tsconfig.json ./" in dockerfile
    assert re.search(r"^RUN npm ci\b", dockerfile, re.MULTILINE), "no npm ci"
    assert re.search(r"^RUN npx tsc -b$", dockerfile, re.MULTILINE), "no tsc -b"
    for folder, source in packages.items():
        assert f"COPY {source}/package.json {source}/tsconfig.json {folder}/" in dockerfile, source
        assert f"COPY {source}/src {folder}/src" in dockerfile, source
    shared = SHARED.removeprefix(f"{WEB}/")
    assert re.search(rf"cp -r {shared}/dist /site/shared/", dockerfile), "/shared/dist/"
    for short, source in FRONT_ENDS.items():
        folder = source.removeprefix(f"{WEB}/")
        served = (REPO / source / "index.html").read_text()
        needed = {ref.split("/")[1] for ref in re.findall(r'(?:href|src)="(\./[^"]+)"', served)} | {"index.html"}
        worker = REPO / source / "sw.js"
        if worker.exists():  # the service worker and what it keeps for offline use: its own files, and shared's
            kept = re.findall(r'"(\.\.?/[^"]*)"', worker.read_text())
            assert all(ref.startswith(("./", "../shared/dist/")) for ref in kept), kept
            needed |= {"sw.js"} | {ref.split("/")[1] for ref in kept if ref.startswith("./") and ref != "./"}
        for name in needed:
            assert re.search(rf"cp -r [^&\n]*\b{folder}/{re.escape(name)}\b[^&\n]*/site/{short}/", dockerfile), f"/{short}/{name}"
            if name != "dist":
                assert re.search(rf"^COPY [^\n]*{re.escape(source)}/{re.escape(name)}\b", dockerfile, re.MULTILINE), name
