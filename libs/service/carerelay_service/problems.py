"""The bodies of a refusal, the same in every service.

422: `{"detail": "invalid request", "errors": [{"field": "patient.nhs_number", "reason": ...}]}`,
naming each field and why without echoing the input (it may hold personal data).
409: `{"detail": <what the person reads>, "conflict": <kind>, ...}`.
503 (with Retry-After): a transient outage (the database restarting, failing over, a lock timeout;
`carerelay_events.failures.is_transient`); the request's transaction rolled back, so nothing was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from carerelay_events.failures import is_transient

RETRY_AFTER_SECONDS = 5
"""What a 503 asks a client to wait: a PostgreSQL restart or failover takes seconds."""

Location = Sequence[str | int]
"""Where a problem is: ("body", "patient", "nhs_number"), ("header", "Idempotency-Key"), ("query", "day")."""


def invalid(*problems: tuple[Location, str]) -> RequestValidationError:
    """A 422 naming each (location, reason); raise it. The location starts with where the value came
    from (body, header, query, path); a bare field path is taken to be in the body."""
    errors = []
    for location, reason in problems:
        path = tuple(location)
        if not path or path[0] not in ("body", "header", "query", "path"):
            path = ("body", *path)
        errors.append({"loc": path, "msg": reason, "type": "value_error"})
    return RequestValidationError(errors)


def refuse(problems: Iterable[tuple[Location, str]]) -> None:
    """Raise a 422 naming every problem found, if there are any."""
    found = list(problems)
    if found:
        raise invalid(*found)


def conflict(detail: str, kind: str, **extra: Any) -> JSONResponse:
    """A 409 that says, in words, why nothing was done (`kind` names the conflict for the app)."""
    return JSONResponse({"detail": detail, "conflict": kind, **extra}, status_code=409)


def install_validation_errors(app: FastAPI) -> None:
    """422 responses say which field and why, without echoing the input back."""

    async def on_invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        errors = []
        for item in error.errors():
            location = [str(part) for part in item.get("loc", ())]
            if len(location) > 1 and location[0] in ("body", "query", "path", "header"):
                location = location[1:]
            errors.append({"field": ".".join(location) or "(body)", "reason": str(item.get("msg", "invalid"))})
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, on_invalid)


def install_unavailable(app: FastAPI) -> None:
    """A transient outage answers 503 with Retry-After, saying nothing was recorded; anything else stays a 500."""

    async def on_outage(request: Request, error: Exception) -> Response:
        if not is_transient(error):
            raise error
        return JSONResponse(
            {"detail": "The service is briefly unavailable and nothing was recorded. Please try again in a moment."},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for kind in (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, KafkaError):
        app.add_exception_handler(kind, on_outage)
