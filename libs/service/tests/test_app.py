"""The kit's app: a 422 names each field and why without echoing the input, /health answers (503 with
the reasons when the event runtime has any: here an outbox relay held behind an open transaction, on
each transport with a real PostgreSQL), and a service's settings read the whole environment once (the
shared parts nested with their own prefixes)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from carerelay_contract.referral import ReferralReceived
from carerelay_events.handlers import Handlers
from carerelay_events.runtime import EventRuntime
from carerelay_events.settings import ConsumerSettings
from carerelay_events.transport.base import Transport
from carerelay_service.app import operations_router
from carerelay_service.migrations import migrate
from carerelay_service.problems import conflict, install_unavailable, install_validation_errors, invalid
from carerelay_service.settings import ServiceSettings
from carerelay_testing.broker import eventually
from carerelay_testing.factories import referral_received


class Body(BaseModel):
    nhs_number: str = Field(min_length=10, max_length=10)
    reason: str = Field(min_length=1)


def _app(database_url: str | None = None) -> FastAPI:
    router = APIRouter()

    @router.post("/outages")
    async def outage() -> dict[str, str]:
        """As a PostgreSQL restart does to a request's connection: the server ends it mid-transaction."""
        assert database_url is not None
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction():
                await conn.execute("CREATE TABLE IF NOT EXISTS things (thing text)")
                await conn.execute("INSERT INTO things VALUES ('recorded')")
                await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        finally:
            await conn.close()
        return {"ok": "yes"}

    @router.post("/half-finished")
    async def half_finished() -> dict[str, str]:
        """What asyncpg raises on a commit whose connection the server ended mid-operation (a restart)."""
        raise asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress")

    @router.post("/bugs")
    async def bug() -> dict[str, str]:
        raise ValueError("a bug, not an outage")

    @router.post("/things")
    async def make(body: Body) -> dict[str, str]:
        if body.reason == "taken":
            raise invalid((("header", "Idempotency-Key"), "already used"), (("reason",), "is taken"))
        return {"ok": "yes"}

    @router.post("/conflicts")
    async def clash() -> object:
        return conflict("This visit has been given to someone else. Nothing was recorded.", "reassigned")

    app = FastAPI()
    install_validation_errors(app)
    install_unavailable(app)
    app.include_router(router)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://test") as opened:
        yield opened


async def test_a_422_names_each_field_and_why_and_never_echoes_the_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"nhs_number": "943 476 5919 0", "reason": ""})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "invalid request"
    assert {error["field"] for error in body["errors"]} == {"nhs_number", "reason"}
    assert "943 476" not in response.text


async def test_a_refusal_raised_by_a_route_names_the_header_and_the_body_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"nhs_number": "9434765919", "reason": "taken"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "Idempotency-Key", "reason": "already used"},
        {"field": "reason", "reason": "is taken"},
    ]


async def test_a_conflict_says_why_in_words(client: httpx.AsyncClient) -> None:
    response = await client.post("/conflicts")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This visit has been given to someone else. Nothing was recorded.",
        "conflict": "reassigned",
    }


async def test_a_database_outage_is_a_503_with_retry_after_and_records_nothing(database_url: str) -> None:
    transport = httpx.ASGITransport(app=_app(database_url), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/outages")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "nothing was recorded" in response.json()["detail"]
        half_finished = await client.post("/half-finished")
        assert (half_finished.status_code, half_finished.headers["Retry-After"]) == (503, "5")
        bug = await client.post("/bugs")
    assert bug.status_code == 500  # a bug is not dressed up as an outage
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('things')") is None  # the transaction rolled back
    finally:
        await conn.close()


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARERELAY_EXAMPLE_", frozen=True, extra="ignore")

    database_url: str = "postgresql://example"
    port: int = 8199


def test_a_services_settings_read_its_own_and_the_shared_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARERELAY_EXAMPLE_PORT", "8200")
    monkeypatch.setenv("CARERELAY_KAFKA_TOPIC_PREFIX", "env-prefix.")
    monkeypatch.setenv("CARERELAY_CONSUMER_MAX_BACKOFF_SECONDS", "2.5")
    monkeypatch.setenv("CARERELAY_OTEL_OTLP_ENDPOINT", "http://127.0.0.1:4318/v1/traces")
    settings = ExampleSettings()
    monkeypatch.setenv("CARERELAY_KAFKA_TOPIC_PREFIX", "changed-later.")
    assert settings.port == 8200
    assert settings.kafka.topic_prefix == "env-prefix."
    assert settings.consumer.max_backoff_seconds == 2.5
    assert settings.tracing.otlp_endpoint == "http://127.0.0.1:4318/v1/traces"


async def test_health_is_200_when_nothing_is_wrong_and_503_with_every_reason_when_something_is() -> None:
    troubles: list[str] = []
    app = FastAPI()
    app.include_router(operations_router(lambda: list(troubles)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        ok = await client.get("/health")
        assert (ok.status_code, ok.json()) == (200, {"status": "ok"})
        troubles += ["outbox relay /carerelay/x: no progress for 61 s while 3 wait", "x-consumer: died (KeyError); restarting"]
        unhealthy = await client.get("/health")
    assert unhealthy.status_code == 503
    assert unhealthy.json() == {"status": "unhealthy", "reasons": troubles}


async def test_health_reports_a_relay_held_behind_an_open_transaction_within_the_stated_time(
    transport: Transport, database_url: str
) -> None:
    await migrate(database_url)
    runtime: EventRuntime[None] = EventRuntime(
        name="health-test",
        database_url=database_url,
        handlers=Handlers(),
        resources=None,
        transport=transport,
        consumer_settings=ConsumerSettings(stalled_after_seconds=1.0),
    )
    await runtime.start()
    app = FastAPI()
    app.include_router(operations_router(runtime.health))
    try:
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
            runtime.pool.acquire() as holding,
        ):
            assert (await client.get("/health")).status_code == 200
            held = holding.transaction()
            await held.start()
            await runtime.outbox.add(holding, ReferralReceived.model_validate(referral_received()))
            async with runtime.pool.acquire() as conn, conn.transaction():
                await runtime.outbox.add(conn, ReferralReceived.model_validate(referral_received()))

            async def unhealthy() -> httpx.Response | None:
                response = await client.get("/health")
                return response if response.status_code == 503 else None

            response = await eventually(unhealthy, within=10, what="/health to say 503")
            assert response.json()["reasons"][0].startswith("outbox relay /carerelay/health-test: no progress for ")
            await held.commit()

            async def healthy() -> bool:
                return (await client.get("/health")).status_code == 200

            assert await eventually(healthy, within=10, what="/health to say 200 again")
    finally:
        await runtime.stop()
