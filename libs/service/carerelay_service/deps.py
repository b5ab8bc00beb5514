"""Typed FastAPI dependencies every service's routes use (`Annotated` aliases):

    async def en_route(visit_id: UUID, runtime: Runtime, key: IdempotencyKey) -> ...

The signed-in caller is `carerelay_access.web.CurrentPrincipal`.
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Header, Request

from carerelay_events.runtime import EventRuntime

from .app import runtime_of


def _pool(request: Request) -> asyncpg.Pool:
    return runtime_of(request).pool


Runtime = Annotated[EventRuntime[Any], Depends(runtime_of)]
"""The service's event runtime: its pool, outbox and resources."""

Pool = Annotated[asyncpg.Pool, Depends(_pool)]
"""The service's database pool."""

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
"""The `Idempotency-Key` request header, when the client sent one (see `idempotency`)."""

RequestId = Annotated[str | None, Header(alias="X-Request-ID", max_length=200)]
"""BaRS' `X-Request-ID`: an integrator's idempotency key."""

CorrelationId = Annotated[str | None, Header(alias="X-Correlation-ID", max_length=200)]
"""BaRS' `X-Correlation-ID`: follows the case across systems."""
