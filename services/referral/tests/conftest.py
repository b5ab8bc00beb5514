"""Fixtures for the hub's own tests: a referral as the hub holds it once taken (Mrs A's, from the
shared factories), and the hub's app running in this process on a throwaway database, with people
signed in by name and the in-memory broker (or, once more, the real Kafka)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import httpx
import orjson
import pytest
from fastapi import FastAPI

from carerelay_access.identity import Principal, Unauthenticated
from carerelay_access.roles import Role
from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.model import Event
from carerelay_contract.referral import ReferralReceived
from carerelay_contract.topics import topic_name
from carerelay_contract.triage import TriageCompleted
from carerelay_events.runtime import EventRuntime
from carerelay_events.transport.base import Transport
from carerelay_events.transport.memory import MemoryTransport
from carerelay_referral.app import create_app
from carerelay_referral.domain.referral import Referral, Status
from carerelay_referral.settings import ReferralSettings
from carerelay_testing.factories import referral_received, referral_submission


def triage_decision(episode_id: UUID, referral_id: UUID, at: datetime) -> TriageCompleted:
    """Triage's decision for a referral taken at `at`: UCR within two hours, nurse-led."""
    decision: dict[str, Any] = {
        "tier": "ucr-2h",
        "lead_discipline": "nurse",
        "route": "step-up",
        "rules_version": "test",
        "rules_fired": ["ucr-clinical-need"],
    }
    return TriageCompleted.model_validate(
        {
            **decision,
            "episode_id": episode_id,
            "referral_id": referral_id,
            "decided_at": at,
            "first_contact_deadline": at + timedelta(hours=2),
        }
    )


class Taken(Protocol):
    def __call__(self, **changes: Any) -> Referral: ...


@pytest.fixture
def taken() -> Taken:
    """Mrs A's referral as just taken (status `received`, in locality Northgate Central, team north)."""

    def make(**changes: Any) -> Referral:
        event = ReferralReceived.model_validate(referral_received(locality="Northgate Central", team="north"))
        referral = Referral(
            referral_id=event.referral_id,
            episode_id=event.episode_id,
            status=Status.RECEIVED,
            route=event.route.value,
            received_at=event.received_at,
            details=event.model_dump(mode="json"),
            presenting_needs=tuple(need.value for need in event.presenting_needs),
            correlation_id="case-mrs-a",
            trace_context={},
            locality=event.locality,
            team=event.team,
            gp_practice=event.patient.gp_practice_code,
            submitted_by=None,
        )
        return replace(referral, **changes)

    return make


PEOPLE: dict[str, Principal] = {
    "sophie": Principal("sophie.reid", frozenset({Role.HUB_CALL_HANDLER}), organisation="county-hub", name="Sophie Reid"),
    "ruth": Principal("ruth.ellis", frozenset({Role.HUB_CLINICIAN}), organisation="county-hub", name="Ruth Ellis"),
    "ehr": Principal(
        "county-general-ehr",
        frozenset({Role.INTEGRATOR}),
        organisation="county-general",
        client_id="county-general-ehr",
        scopes=frozenset({"referrals:write", "referrals:read"}),
    ),
}
"""Who signs in to the in-process hub, by token: a call handler, a hub clinician and an integrator."""


class SignedIn:
    """Stands in for the token verifier: the bearer token is the name of one of PEOPLE."""

    async def verify(self, token: str) -> Principal:
        if token not in PEOPLE:
            raise Unauthenticated("unknown test token")
        return PEOPLE[token]


@dataclass
class Hub:
    """The hub's app in this process, on a throwaway database and the given broker."""

    app: FastAPI
    transport: Transport

    @property
    def runtime(self) -> EventRuntime[Any]:
        runtime: EventRuntime[Any] = self.app.state.runtime
        return runtime

    def client(self, who: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://hub", headers={"Authorization": f"Bearer {who}"}
        )

    async def take(self, who: str = "sophie", headers: dict[str, str] | None = None, **changes: Any) -> httpx.Response:
        async with self.client(who) as client:
            return await client.post("/api/referral/referrals", json=referral_submission(**changes), headers=headers or {})

    async def query(self, sql: str, *args: Any) -> list[Any]:
        async with self.runtime.pool.acquire() as conn:
            return list(await conn.fetch(sql, *args))

    async def outbox_types(self, episode_id: str) -> list[str]:
        """The CloudEvents types the hub has written about the episode, in order."""
        rows = await self.query("SELECT headers FROM event_outbox WHERE record_key = $1 ORDER BY seq", episode_id)
        return [dict(orjson.loads(row["headers"]))["ce_type"] for row in rows]

    async def publish(self, event: Event, event_id: str | None = None) -> None:
        """Put `event` on its topic as another service would (CloudEvents binary mode)."""
        metadata = new_metadata(event, "/tests", event_id=event_id)
        producer = self.transport.producer("referral-tests")
        await producer.start()
        try:
            await producer.send_and_wait(
                topic_name(event.topic, self.transport.topic_prefix),
                value=encode_data(event),
                key=event.partition_key().encode(),
                headers=encode_headers(metadata, {}),
            )
        finally:
            await producer.stop()


@asynccontextmanager
async def running_hub(database_url: str, transport: Transport) -> AsyncIterator[Hub]:
    app = create_app(ReferralSettings(database_url=database_url), transport)
    app.state.token_verifier = SignedIn()
    async with app.router.lifespan_context(app):
        yield Hub(app, transport)


@pytest.fixture
async def hub(database_url: str, topic_prefix: str) -> AsyncIterator[Hub]:
    """The hub on the in-memory broker."""
    async with running_hub(database_url, MemoryTransport(topic_prefix=topic_prefix)) as running:
        yield running


@pytest.fixture
async def hub_on_each_broker(database_url: str, transport: Transport) -> AsyncIterator[Hub]:
    """The hub on the in-memory broker, then on the real Kafka: the same test body proves both."""
    async with running_hub(database_url, transport) as running:
        yield running


async def eventually(probe: Callable[[], Awaitable[Any]], within: float = 30.0, what: str = "condition") -> Any:
    """Await `probe` until it returns something truthy; fail after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not (result := await probe()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return result
