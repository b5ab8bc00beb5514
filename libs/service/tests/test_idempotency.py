"""Requests made once: a retry under the same key gets the first result and changes nothing; a key
used for something else is refused naming the header; two racing attempts do the work once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from fastapi.exceptions import RequestValidationError

from carerelay_service.idempotency import IdempotentRequest, remember, replay
from carerelay_service.migrations import migrate

EN_ROUTE = IdempotentRequest("2a3e6c1e-0000-4000-8000-000000000001", made_by="amara", action="visit.en-route", target="v1")


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(database_url)
    created = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    async with created.acquire() as conn:
        await conn.execute("CREATE TABLE actions (n serial PRIMARY KEY, key text)")
    yield created
    await created.close()


async def _act(pool: asyncpg.Pool, request: IdempotentRequest) -> dict[str, object]:
    """An action as a route does it: replay, else the change and the record of its result."""
    async with pool.acquire() as conn, conn.transaction():
        earlier = await replay(conn, request)
        if earlier is not None:
            return {**earlier, "replayed": True}
        n = await conn.fetchval("INSERT INTO actions (key) VALUES ($1) RETURNING n", request.key)
        await asyncio.sleep(0.05)  # give a racing attempt the chance to overtake, were it not serialised
        result: dict[str, object] = {"action_number": n}
        await remember(conn, request, result)
        return result


async def test_a_retry_gets_the_first_result_and_changes_nothing(pool: asyncpg.Pool) -> None:
    first = await _act(pool, EN_ROUTE)
    again = await _act(pool, EN_ROUTE)
    assert again == {**first, "replayed": True}
    assert await pool.fetchval("SELECT count(*) FROM actions") == 1


async def test_racing_attempts_with_one_key_do_the_work_once(pool: asyncpg.Pool) -> None:
    results = await asyncio.gather(*(_act(pool, EN_ROUTE) for _ in range(4)))
    assert await pool.fetchval("SELECT count(*) FROM actions") == 1
    assert sum(1 for result in results if "replayed" not in result) == 1
    assert {result["action_number"] for result in results} == {results[0]["action_number"]}


@pytest.mark.parametrize(
    "misuse",
    [
        IdempotentRequest(EN_ROUTE.key, made_by="tom", action=EN_ROUTE.action, target=EN_ROUTE.target),
        IdempotentRequest(EN_ROUTE.key, made_by=EN_ROUTE.made_by, action="visit.arrived", target=EN_ROUTE.target),
        IdempotentRequest(EN_ROUTE.key, made_by=EN_ROUTE.made_by, action=EN_ROUTE.action, target="v2"),
    ],
    ids=["someone-else", "another-action", "another-record"],
)
async def test_a_key_used_for_something_else_is_refused_naming_the_header(pool: asyncpg.Pool, misuse: IdempotentRequest) -> None:
    await _act(pool, EN_ROUTE)
    with pytest.raises(RequestValidationError) as refused:
        await _act(pool, misuse)
    (error,) = refused.value.errors()
    assert error["loc"] == ("header", "Idempotency-Key")
    assert "different action" in error["msg"]
    assert await pool.fetchval("SELECT count(*) FROM actions") == 1
