"""`python -m carerelay_stack run`: provision, start the four services, load demo data, print where
to look, and stop them all cleanly on Ctrl-C or SIGTERM. Kafka and PostgreSQL are started before
this by the infra launcher (see the Makefile)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from carerelay_events.settings import KafkaSettings

from . import rota
from .county import load_county
from .demo import accept_some, submit_referrals
from .processes import ServiceProcess
from .provision import provision
from .rota import load_rota
from .settings import SERVICES, StackSettings
from .sign_in import user_token
from .web_origin import Upstreams, web_origin_process

REPO = Path(__file__).resolve().parents[3]
PORTS = {"referral": 8101, "triage": 8102, "scheduling": 8103, "notifications": 8104}
ISSUER_PORT = 8100
WEB_PORT = 8080
WEB_ORIGIN = f"http://127.0.0.1:{WEB_PORT}"
ISSUER_URL = f"{WEB_ORIGIN}/auth"
"""The issuer as browsers see it, through the web origin: the `iss` of every token."""
DEMO_HUB_HANDLER, DEMO_HUB_CLINICIAN = "sophie.reid", "ruth.ellis"


def issuer_process(log_dir: Path) -> ServiceProcess:
    """The development OpenID Connect issuer (infra/issuer); production points the services elsewhere."""
    return ServiceProcess(
        "issuer",
        ISSUER_PORT,
        {"CARERELAY_ISSUER_PORT": str(ISSUER_PORT), "CARERELAY_ISSUER_PUBLIC_URL": ISSUER_URL},
        log_dir / "issuer.log",
        health_path="/.well-known/openid-configuration",
    )


MAIL_SMTP_PORT, MAIL_PAGE_PORT = 8025, 8026


def mailbox_process(log_dir: Path) -> ServiceProcess:
    """The demo mailbox: a local SMTP server the notifications service emails, and a page listing what it got."""
    return ServiceProcess(
        "mailbox",
        MAIL_PAGE_PORT,
        {},
        log_dir / "mailbox.log",
        command=[
            sys.executable,
            "-m",
            "carerelay_stack.mailbox",
            str(REPO / ".data" / "mail"),
            str(MAIL_SMTP_PORT),
            str(MAIL_PAGE_PORT),
        ],
    )


def demo_mail_env() -> dict[str, str]:
    """Notifications emails the demo mailbox: the hub's alerts, and assignment changes for two demo staff."""
    staff = {str(rota.staff_id(name)): email for name, email in DEMO_STAFF_EMAILS.items()}
    return {
        "CARERELAY_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "CARERELAY_NOTIFICATIONS_SMTP_PORT": str(MAIL_SMTP_PORT),
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


def service_processes(stack: StackSettings, log_dir: Path, extra_env: dict[str, str] | None = None) -> list[ServiceProcess]:
    processes = []
    for service in SERVICES:
        env = {
            f"CARERELAY_{service.upper()}_DATABASE_URL": stack.service_url(service),
            f"CARERELAY_{service.upper()}_PORT": str(PORTS[service]),
            **auth_env(ISSUER_URL, ISSUER_PORT, WEB_ORIGIN),
            **(extra_env or {}),
        }
        processes.append(ServiceProcess(service, PORTS[service], env, log_dir / f"{service}.log"))
    return processes


def main() -> int:
    started_at = time.monotonic()
    stack, kafka = StackSettings(), KafkaSettings()
    created = asyncio.run(provision(stack, kafka))
    for line in created:
        print(f"  created {line}")
    log_dir = REPO / ".data" / "logs"
    web = web_origin_process(
        REPO / ".data" / "nginx",
        "127.0.0.1",
        WEB_PORT,
        Upstreams(PORTS["referral"], PORTS["scheduling"], PORTS["notifications"], ISSUER_PORT, PORTS["triage"]),
        log_dir / "web-origin.log",
    )
    processes = [issuer_process(log_dir), mailbox_process(log_dir), *service_processes(stack, log_dir, demo_mail_env()), web]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_healthy()
        asyncio.run(load_rota(stack.service_url("scheduling")))
        hub = f"http://127.0.0.1:{PORTS['referral']}"
        handler = asyncio.run(user_token(processes[0].base_url, DEMO_HUB_HANDLER))
        clinician = asyncio.run(user_token(processes[0].base_url, DEMO_HUB_CLINICIAN))
        referral_ids = asyncio.run(submit_referrals(hub, handler))
        asyncio.run(accept_some(hub, clinician, referral_ids))
        mrs_a = httpx.get(f"{hub}/api/referral/referrals/{referral_ids[0]}", headers={"Authorization": f"Bearer {clinician}"})
        county = asyncio.run(load_county(WEB_ORIGIN, handler, clinician, mrs_a.json()["episode_id"]))
        elapsed = time.monotonic() - started_at
        print(
            f"\nCareRelay is up ({elapsed:.1f} s). Demo referrals: {len(referral_ids) + county['referrals']}, "
            f"care plans: {county['care_plans']}; today and tomorrow planned."
        )
        for process in processes:
            print(f"  {process.name:<14} {process.base_url}  (log: {process.log_path.relative_to(REPO)})")
        print(f"\n  The hub:       {WEB_ORIGIN}/hub/   (sign in as a demo user, e.g. Sophie Reid or Ruth Ellis)")
        print(f"  Today's plan:  {WEB_ORIGIN}/hub/#/plan   (Daniel Hughes, coordinator)")
        print(f"  The app:       {WEB_ORIGIN}/app/   (on a phone-sized window: Amara Okafor, Joe Evans, Leah Morgan)")
        print(f"  Mailbox:       http://127.0.0.1:{MAIL_PAGE_PORT}/   (emails the system sent)")
        print("  API docs:      http://127.0.0.1:8101/api/referral/docs")
        print("  referrals:     http://127.0.0.1:8101/api/referral/referrals")
        print("  visits:        http://127.0.0.1:8103/api/scheduling/visits")
        print(f"  Kafka {kafka.bootstrap_servers}, PostgreSQL {stack.host}:{stack.port}")
        print("Ctrl-C (or `make stop` in another terminal) stops everything.")
        while not stopping:
            for process in processes:
                if process.process is not None and process.process.poll() is not None:
                    print(f"{process.name} stopped unexpectedly; see {process.log_path}", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        print("\nstopping services...")
        for process in reversed(processes):
            process.stop()
        if not os.environ.get("CARERELAY_KEEP_INFRA"):
            print("stopping Kafka and PostgreSQL (set CARERELAY_KEEP_INFRA=1 to keep them running)...")
            subprocess.run(
                [sys.executable, "-m", "carerelay_infra", "down"],
                env={**os.environ, "PYTHONPATH": str(REPO / "infra" / "launcher")},
                check=False,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
