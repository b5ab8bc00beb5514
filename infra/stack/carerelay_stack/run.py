"""`python -m carerelay_stack run`: provision, start the issuer, the mailbox, the four services and
the web origin, load demo data, print where to look; on Ctrl-C or SIGTERM (`make stop`) stop them
all, in reverse order, each waited for until its ports are free, then Kafka and PostgreSQL. Kafka and
PostgreSQL are started before this by the infra launcher (see the Makefile).

Every process it starts, and the run itself, is recorded in `<data dir>/run/` (pidfiles.py): that is
how `python -m carerelay_stack stop` finds them from another terminal."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import httpx

from carerelay_events.settings import KafkaSettings

from . import pidfiles, rota
from .county import load_county
from .demo import accept_some, submit_referrals
from .observability import observe_processes, otlp_endpoint
from .processes import ServiceProcess
from .provision import provision
from .rota import load_rota
from .settings import REPO, SERVICES, ObserveSettings, StackPorts, StackSettings, data_dir
from .sign_in import user_token
from .web_origin import Upstreams, web_origin_process

_DEFAULTS = {name: field.default for name, field in StackPorts.model_fields.items()}
PORTS: dict[str, int] = {service: _DEFAULTS[f"{service}_port"] for service in SERVICES}
"""The services' default ports (docker-compose.yml publishes the same); `StackPorts` reads the ones in use."""
WEB_PORT: int = _DEFAULTS["web_port"]
DEMO_HUB_HANDLER, DEMO_HUB_CLINICIAN = "sophie.reid", "ruth.ellis"


def web_origin_url(ports: StackPorts) -> str:
    return f"http://127.0.0.1:{ports.web_port}"


def issuer_url(ports: StackPorts) -> str:
    """The issuer as browsers see it, through the web origin: the `iss` of every token."""
    return f"{web_origin_url(ports)}/auth"


def issuer_process(data: Path, ports: StackPorts) -> ServiceProcess:
    """The development OpenID Connect issuer (infra/issuer); production points the services elsewhere."""
    env = {"CARERELAY_ISSUER_PORT": str(ports.issuer_port), "CARERELAY_ISSUER_PUBLIC_URL": issuer_url(ports)}
    if "CARERELAY_ISSUER_KEY_DIR" not in os.environ:
        env["CARERELAY_ISSUER_KEY_DIR"] = str(data / "issuer")
    return ServiceProcess(
        "issuer",
        ports.issuer_port,
        env,
        data / "logs" / "issuer.log",
        health_path="/.well-known/openid-configuration",
        cwd=data,
    )


def mailbox_process(data: Path, ports: StackPorts) -> ServiceProcess:
    """The demo mailbox: a local SMTP server the notifications service emails, and a page listing what it got."""
    return ServiceProcess(
        "mailbox",
        ports.mailbox_port,
        {},
        data / "logs" / "mailbox.log",
        command=[
            sys.executable,
            "-m",
            "carerelay_stack.mailbox",
            str(data / "mail"),
            str(ports.mailbox_smtp_port),
            str(ports.mailbox_port),
        ],
        extra_ports=(ports.mailbox_smtp_port,),
        cwd=data,
    )


def demo_mail_env(ports: StackPorts) -> dict[str, str]:
    """Notifications emails the demo mailbox: the hub's alerts, and assignment changes for two demo staff."""
    staff = {str(rota.staff_id(name)): email for name, email in DEMO_STAFF_EMAILS.items()}
    return {
        "CARERELAY_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "CARERELAY_NOTIFICATIONS_SMTP_PORT": str(ports.mailbox_smtp_port),
        "CARERELAY_NOTIFICATIONS_HUB_EMAIL": "hub@county-hub.example",
        "CARERELAY_NOTIFICATIONS_STAFF_EMAILS": json.dumps(staff),
    }


DEMO_STAFF_EMAILS = {
    "Nurse Amara Okafor": "amara.okafor@county-health.example",
    "Carer Joe Evans": "joe.evans@county-care.example",
}


def auth_env(issuer_url: str, issuer_port: int, web_origin: str) -> dict[str, str]:
    """How the services trust the issuer: `iss` as browsers see it, keys fetched directly."""
    return {
        "CARERELAY_AUTH_ISSUER": issuer_url,
        "CARERELAY_AUTH_JWKS_URL": f"http://127.0.0.1:{issuer_port}/jwks.json",
        "CARERELAY_AUTH_ALLOWED_ORIGINS": f'["{web_origin}"]',
    }


def instance_name(service: str, number: int) -> str:
    """The first instance is named after its service (`referral`), the others `referral-2`, ..."""
    return service if number == 1 else f"{service}-{number}"


def service_processes(
    stack: StackSettings, data: Path, ports: StackPorts, extra_env: dict[str, str] | None = None
) -> list[ServiceProcess]:
    """Every instance of every service (`ports.instances` of each), the first instances first. The
    instances of a service share its database and consumer group; each has its own port, log and
    working directory (faust keeps a data folder there)."""
    processes = []
    for number in range(1, ports.instances + 1):
        for service in SERVICES:
            port = ports.instance_ports(service)[number - 1]
            name = instance_name(service, number)
            env = {
                f"CARERELAY_{service.upper()}_DATABASE_URL": stack.service_url(service),
                f"CARERELAY_{service.upper()}_PORT": str(port),
                **auth_env(issuer_url(ports), ports.issuer_port, web_origin_url(ports)),
                **(extra_env or {}),
            }
            cwd = data if number == 1 else data / "instances" / name
            cwd.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", f"carerelay_{service}"]
            processes.append(ServiceProcess(name, port, env, data / "logs" / f"{name}.log", command=command, cwd=cwd))
    return processes


def port_variable(name: str, port: int | None = None, ports: StackPorts | None = None) -> str:
    """The environment variable that moves the port of process `name` (see StackPorts): the one whose
    value is `port`, when `ports` are given (a process with several ports), else its main port's (an
    instance's too: `referral-2` moves with `CARERELAY_REFERRAL_PORT`)."""
    if port is not None and ports is not None:
        for field in StackPorts.port_fields():
            if getattr(ports, field) == port:
                return f"CARERELAY_{field.upper()}"
    service = name.split("-")[0] if name.split("-")[0] in SERVICES else name
    named = {"web-origin": "CARERELAY_WEB_PORT", "mailbox": "CARERELAY_MAILBOX_PORT"}
    return named.get(service, f"CARERELAY_{service.upper()}_PORT")


class Signals:
    """SIGINT (Ctrl-C), SIGTERM (`make stop`) and SIGHUP (the terminal closed) stop the run. The first
    one interrupts whatever the run is doing (as KeyboardInterrupt), except while a process is being
    started and recorded, which finishes first; once stopping, further signals are ignored, so nothing
    interrupts the stop."""

    def __init__(self) -> None:
        self.stopping = False
        self._holding = False
        self._deferred = False

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._received)

    def _received(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            print("still stopping: waiting for the processes to exit...", file=sys.stderr, flush=True)
            return
        self.stopping = True
        if self._holding:
            self._deferred = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._deferred:
            self._deferred = False
            raise KeyboardInterrupt


def main() -> int:
    data, ports = data_dir(), StackPorts()
    earlier = pidfiles.read(data, pidfiles.SUPERVISOR)
    if earlier is not None and pidfiles.is_running(earlier):
        print(f"CareRelay is already running from {data} (pid {earlier.pid}); `make stop` stops it", file=sys.stderr)
        return 1
    if leftovers := pidfiles.stop_recorded(data):
        print(f"stopped what an earlier run left running: {', '.join(leftovers)}")
    stack = StackSettings()
    web = web_origin_process(
        data / "nginx",
        "127.0.0.1",
        ports.web_port,
        Upstreams(
            ports.instance_ports("referral"),
            ports.instance_ports("scheduling"),
            ports.instance_ports("notifications"),
            ports.issuer_port,
            ports.instance_ports("triage"),
        ),
        data / "logs" / "web-origin.log",
    )
    observe = ObserveSettings()
    extra_env = demo_mail_env(ports)
    watching = []
    if observe.observe:  # `make run OBSERVE=1`: Jaeger and Prometheus first, the services exporting spans to Jaeger
        try:
            watching = observe_processes(data, ports, observe)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        extra_env["CARERELAY_OTEL_OTLP_ENDPOINT"] = otlp_endpoint(ports)
    services = service_processes(stack, data, ports, extra_env)
    processes = [*watching, issuer_process(data, ports), mailbox_process(data, ports), *services, web]
    taken = [(process.name, port) for process in processes for port in process.ports if not pidfiles.port_free(port)]
    if taken:
        for name, port in taken:
            print(f"port {port} ({name}) is in use; to run beside it, set {port_variable(name, port, ports)}", file=sys.stderr)
        print(f"Is CareRelay already running from another data dir? This one is {data}.", file=sys.stderr)
        return 1
    signals = Signals()
    signals.install()
    try:
        pidfiles.write(data, pidfiles.SUPERVISOR, os.getpid())
        return run(data, ports, stack, processes, signals)
    except KeyboardInterrupt:
        return 0
    finally:
        signals.stopping = True
        print("\nstopping services...", flush=True)
        stopped = []
        for process in reversed(processes):
            began = time.monotonic()
            if busy := process.stop():
                print(f"  {process.name} has stopped but ports {busy} are still taken", file=sys.stderr)
            if process.process is not None:
                stopped.append(f"{process.name} ({time.monotonic() - began:.1f} s)")
            pidfiles.forget(data, process.name)
        print(f"  stopped {', '.join(stopped) or 'nothing'}", flush=True)
        if not os.environ.get("CARERELAY_KEEP_INFRA"):
            print("stopping Kafka and PostgreSQL (set CARERELAY_KEEP_INFRA=1 to keep them running)...", flush=True)
            subprocess.run(
                [sys.executable, "-m", "carerelay_infra", "down"],
                env={**os.environ, "PYTHONPATH": str(REPO / "infra" / "launcher")},
                check=False,
            )
        pidfiles.forget(data, pidfiles.SUPERVISOR)


def run(data: Path, ports: StackPorts, stack: StackSettings, processes: list[ServiceProcess], signals: Signals) -> int:
    """Start everything, load the demo, then watch: returns 1 when a process stops on its own."""
    started_at = time.monotonic()
    kafka = KafkaSettings()
    created = asyncio.run(provision(stack, kafka))
    for line in created:
        print(f"  created {line}")
    for order, process in enumerate(processes):
        with signals.held():
            process.start()
            assert process.process is not None
            pidfiles.write(data, process.name, process.process.pid, process.ports, order)
    for process in processes:
        process.wait_healthy()
    asyncio.run(load_rota(stack.service_url("scheduling")))
    web_origin = web_origin_url(ports)
    hub = f"http://127.0.0.1:{ports.referral_port}"
    issuer = next(process for process in processes if process.name == "issuer")
    handler = asyncio.run(user_token(issuer.base_url, DEMO_HUB_HANDLER))
    clinician = asyncio.run(user_token(issuer.base_url, DEMO_HUB_CLINICIAN))
    referral_ids = asyncio.run(submit_referrals(hub, handler))
    asyncio.run(accept_some(hub, clinician, referral_ids))
    mrs_a = httpx.get(f"{hub}/api/referral/referrals/{referral_ids[0]}", headers={"Authorization": f"Bearer {clinician}"})
    county = asyncio.run(load_county(web_origin, handler, clinician, mrs_a.json()["episode_id"]))
    elapsed = time.monotonic() - started_at
    print(
        f"\nCareRelay is up ({elapsed:.1f} s). Demo referrals: {len(referral_ids) + county['referrals']}, "
        f"care plans: {county['care_plans']}; today and tomorrow planned."
    )
    for process in processes:
        print(f"  {process.name:<14} {process.base_url}  (log: {display(process.log_path)})")
    print(f"\n  The hub:       {web_origin}/hub/   (sign in as a demo user, e.g. Sophie Reid or Ruth Ellis)")
    print(f"  Today's plan:  {web_origin}/hub/#/plan   (Daniel Hughes, coordinator)")
    print(f"  The app:       {web_origin}/app/   (on a phone-sized window: Amara Okafor, Joe Evans, Leah Morgan)")
    print(f"  Mailbox:       http://127.0.0.1:{ports.mailbox_port}/   (emails the system sent)")
    print(f"  API docs:      {hub}/api/referral/docs")
    print(f"  referrals:     {hub}/api/referral/referrals")
    print(f"  visits:        http://127.0.0.1:{ports.scheduling_port}/api/scheduling/visits")
    if any(process.name == "jaeger" for process in processes):
        print(f"  Traces:        http://127.0.0.1:{ports.jaeger_port}/   (Jaeger; a referral's trace: docs/operations.md)")
        print(f"  Metrics:       http://127.0.0.1:{ports.prometheus_port}/   (Prometheus, scraping every service's /metrics)")
    print(f"  Kafka {kafka.bootstrap_servers}, PostgreSQL {stack.host}:{stack.port}")
    print(f"  pid files:     {display(pidfiles.run_dir(data))}/")
    print("Ctrl-C (or `make stop` in another terminal) stops everything.", flush=True)
    while True:
        for process in processes:
            if process.process is not None and process.process.poll() is not None:
                print(f"{process.name} stopped unexpectedly; see {process.log_path}", file=sys.stderr)
                return 1
        time.sleep(0.5)


def display(path: Path) -> str:
    """`path` relative to the repository when it is inside it (the default data dir), else as it is."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def stop() -> int:
    """`python -m carerelay_stack stop`: stop the `make run` of this data dir, if any, and wait until its
    ports are free (the Makefile's `stop` then runs the infra launcher's `down`)."""
    data = data_dir()
    stopped, busy = pidfiles.stop_run(data)
    print(f"stack: {'stopped ' + ', '.join(stopped) if stopped else 'not running'} ({display(pidfiles.run_dir(data))})")
    if busy:
        print(f"stack: ports {busy} are still taken", file=sys.stderr)
        return 1
    return 0
