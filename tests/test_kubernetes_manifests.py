"""infra/k8s/ against the Kubernetes schemas (kubeconform, strict) and against the code: every setting a
Deployment gives a service is one the service reads and parses, each service's port, probes, budget and
autoscaler, and the web origin's nginx configuration against infra/nginx/carerelay.conf.template.

kubeconform and the schemas are built once by `make k8s-tools` (a prerequisite of `make test`) into .venv."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from string import Template
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from carerelay_access.settings import AuthSettings, SecuredServiceSettings
from carerelay_contract.topics import TOPICS
from carerelay_events.consumer import LAG
from carerelay_events.settings import ConsumerSettings, KafkaSettings, TracingSettings
from carerelay_notifications.handlers import handlers as notifications_handlers
from carerelay_notifications.settings import NotificationsSettings
from carerelay_referral.handlers import handlers as referral_handlers
from carerelay_referral.settings import ReferralSettings
from carerelay_scheduling.handlers import handlers as scheduling_handlers
from carerelay_scheduling.settings import SchedulingSettings
from carerelay_stack.run import PORTS
from carerelay_triage.handlers import handlers as triage_handlers
from carerelay_triage.settings import TriageSettings

from .test_compose_in_step import _locations, _server_headers

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "infra" / "k8s"
KUBECONFORM = REPO / ".venv" / "bin" / "kubeconform"
SCHEMAS = REPO / ".venv" / "k8s-schemas"
SCHEMA_LOCATION = (
    str(SCHEMAS) + "/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
"""kubeconform's template for infra/k8s/schemas.py's layout (the Makefile's `k8s-tools`)."""
SERVICE_SETTINGS: dict[str, type[SecuredServiceSettings]] = {
    "referral": ReferralSettings,
    "triage": TriageSettings,
    "scheduling": SchedulingSettings,
    "notifications": NotificationsSettings,
}
SHARED_SETTINGS: list[type[BaseSettings]] = [AuthSettings, KafkaSettings, TracingSettings, ConsumerSettings]
CONSUMED_TOPICS = {
    "referral": referral_handlers.topics,
    "triage": triage_handlers.topics,
    "scheduling": scheduling_handlers.topics,
    "notifications": notifications_handlers.topics,
}


def _kubernetes_versions() -> list[str]:
    found = re.search(r"^K8S_VERSIONS := (.+)$", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert found is not None, "the Makefile has no K8S_VERSIONS"
    return found.group(1).split()


def _kubeconform(paths: list[Path], version: str) -> tuple[int, list[dict[str, Any]]]:
    built = (SCHEMAS / ".extracted").read_text().split() if (SCHEMAS / ".extracted").exists() else []
    if not KUBECONFORM.exists() or version not in built:
        pytest.fail("kubeconform or the Kubernetes schemas are not built: run `make k8s-tools`")
    command = [str(KUBECONFORM), "-strict", "-verbose", "-output", "json", "-kubernetes-version", version]
    command += ["-schema-location", SCHEMA_LOCATION, "-skip", "Kustomization", *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    resources: list[dict[str, Any]] = json.loads(done.stdout)["resources"] if done.stdout.strip() else []
    return done.returncode, resources


def _manifest_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml"))


def _documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _objects() -> list[dict[str, Any]]:
    return [document for path in _manifest_files() if path.name != "kustomization.yaml" for document in _documents(path)]


def _named(kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in _objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


# ---------------------------------------------------------------------------------- the schemas


@pytest.mark.parametrize("version", _kubernetes_versions())
def test_every_manifest_is_valid_against_the_kubernetes_schemas(version: str) -> None:
    status, resources = _kubeconform([K8S], version)
    invalid = [r for r in resources if r["status"] not in ("statusValid", "statusSkipped")]
    assert not invalid, invalid
    assert status == 0
    checked = [r for r in resources if r["status"] == "statusValid"]
    assert len(checked) == len(_objects()), "kubeconform did not check every object of infra/k8s"


BREAKAGES = {
    "a misspelt field": ("readinessProbe", "readinesProbe"),
    "a wrong type": ("replicas: 2\n", "replicas: two\n"),
    "an unknown field in the pod": ("automountServiceAccountToken: false", "automountServiceAccountTokens: false"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_the_validation_fails_on_a_broken_deployment(breakage: str, tmp_path: Path) -> None:
    good, bad = BREAKAGES[breakage]
    text = (K8S / "referral.yaml").read_text()
    assert good in text
    broken = tmp_path / "referral.yaml"
    broken.write_text(text.replace(good, bad, 1))
    status, resources = _kubeconform([broken], _kubernetes_versions()[-1])
    assert status == 1
    (invalid,) = [r for r in resources if r["status"] == "statusInvalid"]
    assert invalid["kind"] == "Deployment"
    assert bad.split(":")[0].strip() in invalid["msg"] or "replicas" in invalid["msg"], invalid["msg"]


def test_kustomization_applies_every_manifest_of_the_folder() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert {image["name"] for image in kustomization["images"]} == {"carerelay/service", "carerelay/web-origin"}
    ours = [o for o in _objects() if o["kind"] != "Namespace" and o["metadata"]["name"] != "prometheus-adapter"]
    assert all(o["metadata"].get("namespace") == "carerelay" for o in ours)


# ---------------------------------------------------------------------------------- against the code


def _env(container: dict[str, Any]) -> dict[str, str]:
    """Every variable the container is given: its ConfigMaps' and Secrets' keys, then its own `env`."""
    values: dict[str, str] = {}
    for source in container.get("envFrom", []):
        kind, ref = ("ConfigMap", source["configMapRef"]) if "configMapRef" in source else ("Secret", source["secretRef"])
        found = _named(kind, ref["name"])
        values |= {k: str(v) for k, v in (found.get("data") or found.get("stringData") or {}).items()}
    values |= {item["name"]: str(item["value"]) for item in container.get("env", [])}
    return values


def _env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


def _container(name: str) -> dict[str, Any]:
    (container,) = _named("Deployment", name)["spec"]["template"]["spec"]["containers"]
    found: dict[str, Any] = container
    return found


@pytest.mark.parametrize("service", SERVICE_SETTINGS)
def test_every_setting_a_deployment_gives_is_one_its_service_reads_and_parses(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = SERVICE_SETTINGS[service]
    env = _env(_container(service))
    known = _env_names(settings_class).union(*(_env_names(shared) for shared in SHARED_SETTINGS))
    unknown = {name for name in env if name.startswith("CARERELAY_")} - known
    assert not unknown, f"{service}: the manifests set {sorted(unknown)}, which {settings_class.__name__} does not read"
    assert f"CARERELAY_{service.upper()}_DATABASE_URL" in env
    assert all(value != "" for value in env.values()), "an empty value is a value, not 'unset'"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = settings_class()  # every value parses (types, literals, JSON lists), nested settings too
    assert settings.host == "0.0.0.0"
    assert settings.port == PORTS[service]
    assert settings.kafka.security_protocol == "SASL_SSL"
    assert settings.kafka.sasl_username == f"carerelay-{service}"
    assert settings.kafka.topic_prefix == "", "the autoscalers name the consumer groups without a prefix"
    assert settings.auth.allowed_origins == [f"https://{_public_host()}"]


def test_the_topics_job_reads_only_kafka_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    (job,) = [o for o in _objects() if o["kind"] == "Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = _env(container)
    assert {name for name in env if name.startswith("CARERELAY_KAFKA_")} <= _env_names(KafkaSettings)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert KafkaSettings().sasl_mechanism == "SCRAM-SHA-512"
    assert "ensure_topics(KafkaSettings()" in " ".join(container["command"])


@pytest.mark.parametrize("service", SERVICE_SETTINGS)
def test_each_service_runs_its_module_on_its_port_with_health_probes_and_limits(service: str) -> None:
    deployment = _named("Deployment", service)
    pod = deployment["spec"]["template"]["spec"]
    container = _container(service)
    assert container["command"] == ["python", "-m", f"carerelay_{service}"]
    (port,) = container["ports"]
    assert port == {"name": "http", "containerPort": PORTS[service], "protocol": "TCP"}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}, probe
    assert set(container["resources"]["requests"]) == set(container["resources"]["limits"]) == {"cpu", "memory"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    service_object = _named("Service", service)
    assert service_object["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service_object["spec"]["ports"][0]["port"] == PORTS[service]
    budget = _named("PodDisruptionBudget", service)
    assert budget["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize("service", SERVICE_SETTINGS)
def test_each_consuming_service_scales_on_its_consumer_lag(service: str) -> None:
    autoscaler = _named("HorizontalPodAutoscaler", service)
    spec = autoscaler["spec"]
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": service}
    assert spec["minReplicas"] >= 2
    partitions = max(TOPICS[topic].partitions for topic in CONSUMED_TOPICS[service])
    assert spec["maxReplicas"] <= partitions, "instances beyond the topics' partition count get no partition"
    (lag,) = [metric["external"] for metric in spec["metrics"] if metric["type"] == "External"]
    assert lag["metric"]["name"] == LAG._name  # the gauge the services export
    assert lag["metric"]["selector"]["matchLabels"] == {"consumer": f"carerelay-{service}"}  # EventRuntime.consumer_group
    adapter = yaml.safe_load(_named("ConfigMap", "prometheus-adapter")["data"]["config.yaml"])
    assert any(rule["name"]["as"] == LAG._name and LAG._name in rule["seriesQuery"] for rule in adapter["externalRules"])


# ---------------------------------------------------------------------------------- the web origin


def _public_host() -> str:
    ((rule,),) = [_named("Ingress", "carerelay")["spec"]["rules"]]
    host: str = rule["host"]
    return host


def _nginx_conf() -> str:
    conf: str = _named("ConfigMap", "web-origin-nginx")["data"]["nginx.conf"]
    return conf


def test_the_web_origin_is_the_template_for_the_cluster() -> None:
    site = "/usr/share/nginx/carerelay"  # where infra/nginx/Dockerfile puts the front ends
    template = Template((REPO / "infra/nginx/carerelay.conf.template").read_text()).safe_substitute(
        hub_dir=f"{site}/hub", app_dir=f"{site}/app", shared_dir=f"{site}/shared", upstreams=""
    )
    expected, actual = _locations(template), _locations(_nginx_conf())
    for service, port in PORTS.items():  # each upstream group the locations name is the service's Service
        assert re.search(rf"upstream carerelay_{service} {{\s*server {service}:{port};", _nginx_conf()), service
    for where, directives in expected.items():
        assert where in actual, f"web-origin.yaml's nginx.conf has no `location {where}`"
        if where != "/auth/":  # the dev issuer there; here the trust's provider, below
            assert actual[where] == directives, f"location {where}: web-origin.yaml differs from the template"
    assert set(actual) - set(expected) == {"= /auth/authorize", "= /auth/token"}
    assert _server_headers(_nginx_conf()) == _server_headers(template)
    assert "proxy_buffering off" in actual["/api/notifications/stream"]
    issuer = _named("ConfigMap", "carerelay-shared")["data"]["CARERELAY_AUTH_ISSUER"]
    assert actual["= /auth/authorize"] == [f"return 302 {issuer}/protocol/openid-connect/auth$is_args$args"]
    assert f"proxy_pass {issuer}/protocol/openid-connect/token" in actual["= /auth/token"]


def test_the_live_stream_is_not_buffered_by_the_ingress_either() -> None:
    ingress = _named("Ingress", "carerelay")
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    ((path,),) = [rule["http"]["paths"] for rule in ingress["spec"]["rules"]]
    assert path["backend"]["service"]["name"] == "web-origin"


def test_nginx_accepts_the_web_origin_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed: `make system-packages`"
    conf = re.sub(r"server (referral|triage|scheduling|notifications):", "server 127.0.0.1:", _nginx_conf())
    conf = re.sub(r"https://[a-z.-]+/realms/", "https://127.0.0.1/realms/", conf)  # no DNS here for the provider
    config = tmp_path / "nginx.conf"
    config.write_text(conf.replace("/tmp/", f"{tmp_path}/"))
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
