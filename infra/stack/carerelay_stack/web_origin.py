"""The one web origin: nginx (Debian's package) in front of the front ends, the APIs, the live
stream and the issuer. The config is written from infra/nginx/carerelay.conf.template."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .processes import ServiceProcess

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "infra" / "nginx" / "carerelay.conf.template"
HUB_DIR = REPO / "web" / "hub"
APP_DIR = REPO / "web" / "clinician"
SHARED_DIR = REPO / "web" / "shared"


@dataclass(frozen=True)
class Upstreams:
    referral: int
    scheduling: int
    notifications: int
    issuer: int
    triage: int


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed: run `make system-packages` (Debian's nginx-light)")
    return found


def write_config(
    prefix: Path,
    host: str,
    port: int,
    upstreams: Upstreams,
    hub_dir: Path = HUB_DIR,
    app_dir: Path = APP_DIR,
    shared_dir: Path = SHARED_DIR,
) -> Path:
    prefix.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(
        Template(TEMPLATE.read_text()).safe_substitute(
            prefix=str(prefix),
            mime_types="/etc/nginx/mime.types",
            host=host,
            port=str(port),
            hub_dir=str(hub_dir),
            app_dir=str(app_dir),
            shared_dir=str(shared_dir),
            referral_port=str(upstreams.referral),
            scheduling_port=str(upstreams.scheduling),
            notifications_port=str(upstreams.notifications),
            issuer_port=str(upstreams.issuer),
            triage_port=str(upstreams.triage),
        )
    )
    return config


def web_origin_process(prefix: Path, host: str, port: int, upstreams: Upstreams, log_path: Path) -> ServiceProcess:
    config = write_config(prefix, host, port, upstreams)
    return ServiceProcess(
        "web-origin",
        port,
        {},
        log_path,
        health_path="/hub/",
        command=[nginx_binary(), "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
    )
