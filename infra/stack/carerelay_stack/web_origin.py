"""The one web origin: nginx (Debian's package) in front of the front ends, the APIs, the live
stream and the issuer. The config is written from infra/nginx/carerelay.conf.template.

Each service's API is an nginx upstream group (`carerelay_<service>`) over all of its instances'
ports: nginx spreads requests, and streams, over them and skips an instance that stops answering."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .processes import ServiceProcess

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "infra" / "nginx" / "carerelay.conf.template"
HUB_DIR = REPO / "web" / "hub"
APP_DIR = REPO / "web" / "clinician"
SHARED_DIR = REPO / "web" / "shared"


SERVICE_UPSTREAMS = ("referral", "triage", "scheduling", "notifications")


@dataclass(frozen=True)
class Upstreams:
    """The ports behind each upstream: one, or one per instance of the service."""

    referral: int | Sequence[int]
    scheduling: int | Sequence[int]
    notifications: int | Sequence[int]
    issuer: int
    triage: int | Sequence[int]

    def ports(self, service: str) -> tuple[int, ...]:
        ports: int | Sequence[int] = getattr(self, service)
        return (ports,) if isinstance(ports, int) else tuple(ports)


def upstream_blocks(upstreams: Upstreams) -> str:
    """nginx `upstream` groups, one a service (`carerelay_<service>`), listing each instance, with
    idle connections kept open to them (the locations speak HTTP/1.1 without `Connection: close`)."""
    blocks = []
    for service in SERVICE_UPSTREAMS:
        servers = "".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;\n" for port in upstreams.ports(service))
        blocks.append(f"    upstream carerelay_{service} {{\n{servers}        keepalive 32;\n    }}\n")
    return "\n".join(blocks)


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
            upstreams=upstream_blocks(upstreams),
            issuer_port=str(upstreams.issuer),
        )
    )
    return config


def let_workers_through(path: Path) -> None:
    """nginx started as root serves files from worker processes of an unprivileged user: a checkout under a
    private folder (e.g. one made by `mktemp -d`, mode 0700) would stop them at the first step (403). Add
    search permission only (o+x: pass through, never list or read) to the folders on the way that lack it,
    as the launcher does for PostgreSQL's data dir."""
    if os.geteuid() != 0:
        return
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def web_origin_process(prefix: Path, host: str, port: int, upstreams: Upstreams, log_path: Path) -> ServiceProcess:
    config = write_config(prefix, host, port, upstreams)
    for served in (HUB_DIR, APP_DIR, SHARED_DIR):
        let_workers_through(served)
    return ServiceProcess(
        "web-origin",
        port,
        {},
        log_path,
        health_path="/hub/",
        command=[nginx_binary(), "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
    )
