"""The system under test: the four real service processes on the real Kafka and PostgreSQL, with
their own topics (a per-run prefix) and databases, exporting spans to an in-memory OTLP receiver."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from carerelay_contract.topics import Topic, topic_name
from carerelay_events.admin import all_topic_names, ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import connection_options
from carerelay_stack.processes import ServiceProcess
from carerelay_stack.provision import drop_database, provision_database
from carerelay_stack.run import auth_env, instance_name
from carerelay_stack.settings import SERVICES, StackSettings
from carerelay_stack.web_origin import Upstreams, web_origin_process
from carerelay_testing.ports import free_port

from .auth import client_token, user_token
from .kafka import Message, read_all
from .otlp import OtlpCollector

REPO = Path(__file__).resolve().parents[2]
LOG_DIR = REPO / ".data" / "test-logs"
INTEGRATOR, INTEGRATOR_SECRET = "county-general-ehr", "dev-secret-county-general"
HUB_HANDLER = "sophie.reid"
HUB_CLINICIAN = "ruth.ellis"


@dataclass
class RunningSystem:
    run_id: str
    kafka: KafkaSettings
    stack: StackSettings
    collector: OtlpCollector
    databases: dict[str, str] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    issuer: ServiceProcess | None = None
    web: ServiceProcess | None = None
    web_port: int = field(default_factory=free_port)
    instances: int = 1
    """Processes of each service, in its one consumer group; the second of `referral` is `referral-2`."""
    env: dict[str, dict[str, str]] = field(default_factory=dict)
    """More environment for a service's processes, by service (e.g. notifications' SMTP server)."""
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def issuer_url(self) -> str:
        assert self.issuer is not None
        return self.issuer.base_url

    @property
    def web_origin(self) -> str:
        """The one web origin (nginx): the hub's UI, the APIs, the stream and sign-in."""
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def issuer_key_dir(self) -> Path:
        return LOG_DIR / self.run_id / "issuer-keys"

    async def token(self, username: str) -> str:
        """A bearer token for a demo user, signed in through the dev issuer (cached for the run)."""
        if username not in self._tokens:
            self._tokens[username] = await user_token(self.issuer_url, username)
        return self._tokens[username]

    async def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(username)}"}

    async def client(self, service: str, username: str) -> httpx.AsyncClient:
        """An HTTP client for `service`, signed in as `username`."""
        return httpx.AsyncClient(base_url=self.url(service), headers=await self.headers(username), timeout=30)

    async def accept(self, referral_id: str) -> None:
        """A hub clinician accepts the referral (once triage has decided it)."""

        async def triaged() -> bool:
            rows = await self.query("referral", "SELECT status FROM referrals WHERE referral_id = $1::uuid", referral_id)
            return bool(rows) and rows[0]["status"] != "received"

        deadline = asyncio.get_running_loop().time() + 60
        while not await triaged():
            assert asyncio.get_running_loop().time() < deadline, "triage never decided the referral"
            await asyncio.sleep(0.2)
        async with await self.client("referral", HUB_CLINICIAN) as client:
            response = await client.post(f"/api/referral/referrals/{referral_id}/accept", json={})
        assert response.status_code == 200, response.text

    async def integrator_token(self, scope: str | None = None) -> str:
        return await client_token(self.issuer_url, INTEGRATOR, INTEGRATOR_SECRET, scope)

    def topic(self, topic: Topic) -> str:
        return topic_name(topic, self.kafka.topic_prefix)

    def url(self, service: str) -> str:
        return self.processes[service].base_url

    def instance_ports(self, service: str) -> list[int]:
        return [self.processes[instance_name(service, number)].port for number in range(1, self.instances + 1)]

    def database_name(self, service: str) -> str:
        return f"t{self.run_id}_{service}"

    def database_url(self, service: str) -> str:
        name = self.database_name(service)
        return f"postgresql://{name}:{name}@{self.stack.host}:{self.stack.port}/{name}"

    async def add_database(self, service: str) -> str:
        name = self.database_name(service)
        await provision_database(self.stack.admin_url(), name, name)
        self.databases[service] = self.database_url(service)
        return self.databases[service]

    async def events_of(self, topic: Topic, episode_id: UUID, event_type: str) -> list[Message]:
        """Every event of `event_type` (e.g. "visit.cancelled") on `topic` about the episode, in order."""
        key, ce_type = str(episode_id).encode(), f"uk.nhs.carerelay.{event_type}.v1"
        return [m for m in await read_all(self.kafka, self.topic(topic)) if m.key == key and m.ce_type == ce_type]

    async def told(self, episode_id: UUID, template: str, channel: str | None = None) -> list[asyncpg.Record]:
        """The messages of the episode with `template` (on `channel`, when given), as notifications stored them."""
        return await self.query(
            "notifications",
            """
            SELECT audience, channel, recipient_ref, status FROM messages
            WHERE episode_id = $1 AND template = $2 AND ($3::text IS NULL OR channel = $3)
            """,
            episode_id,
            template,
            channel,
        )

    async def query(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.stack.admin_url(self.database_name(service)))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    def service_env(self, service: str, port: int, database_url: str, **extra: str) -> dict[str, str]:
        return {
            "CARERELAY_KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "CARERELAY_KAFKA_TOPIC_PREFIX": self.kafka.topic_prefix,
            "CARERELAY_OTEL_OTLP_ENDPOINT": self.collector.endpoint,
            "CARERELAY_OTEL_EXPORT_DELAY_MS": "200",
            **auth_env(f"{self.web_origin}/auth", self.issuer.port if self.issuer else 0, self.web_origin),
            f"CARERELAY_{service.upper()}_DATABASE_URL": database_url,
            f"CARERELAY_{service.upper()}_PORT": str(port),
            **self.env.get(service, {}),
            **extra,
        }

    def service_process(self, service: str, database_url: str, label: str | None = None, **extra: str) -> ServiceProcess:
        port = free_port()
        name = label or service
        return ServiceProcess(
            service,
            port,
            self.service_env(service, port, database_url, **extra),
            LOG_DIR / self.run_id / f"{name}.log",
            cwd=LOG_DIR / self.run_id,  # faust keeps its data folder in the working directory
        )

    def start_issuer(self) -> None:
        port = free_port()
        self.issuer = ServiceProcess(
            "issuer",
            port,
            {
                "CARERELAY_ISSUER_PORT": str(port),
                "CARERELAY_ISSUER_PUBLIC_URL": f"{self.web_origin}/auth",
                "CARERELAY_ISSUER_KEY_DIR": str(self.issuer_key_dir),
            },
            LOG_DIR / self.run_id / "issuer.log",
            health_path="/.well-known/openid-configuration",
        )
        self.issuer.start()
        self.issuer.wait_healthy()

    async def start(self) -> None:
        self.start_issuer()
        await ensure_topics(self.kafka)
        for service in SERVICES:
            await self.add_database(service)
        for number in range(1, self.instances + 1):
            for service in SERVICES:
                name = instance_name(service, number)
                cwd = LOG_DIR / self.run_id / ("" if number == 1 else name)
                cwd.mkdir(parents=True, exist_ok=True)
                self.processes[name] = self.service_process(service, self.databases[service], label=name)
                self.processes[name].cwd = cwd  # faust keeps its data folder in the working directory
                self.processes[name].start()
        for process in self.processes.values():
            process.wait_healthy()
        assert self.issuer is not None
        self.web = web_origin_process(
            LOG_DIR / self.run_id / "nginx",
            "127.0.0.1",
            self.web_port,
            Upstreams(
                self.instance_ports("referral"),
                self.instance_ports("scheduling"),
                self.instance_ports("notifications"),
                self.issuer.port,
                self.instance_ports("triage"),
            ),
            LOG_DIR / self.run_id / "web-origin.log",
        )
        self.web.start()
        self.web.wait_healthy()

    async def stop(self) -> None:
        if self.web is not None:
            self.web.stop()
        for process in self.processes.values():
            process.stop()
        if self.issuer is not None:
            self.issuer.stop()
        for service in list(self.databases):
            await drop_database(self.stack.admin_url(), self.database_name(service))
        admin = AIOKafkaAdminClient(**connection_options(self.kafka))
        await admin.start()
        try:
            await admin.delete_topics(all_topic_names(self.kafka))
        finally:
            await admin.close()


__all__ = ["SERVICES", "RunningSystem", "StackSettings", "free_port"]
