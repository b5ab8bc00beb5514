"""The one way to publish an event about a case: in the case's own trace, with its correlation id,
through the outbox in the caller's transaction.

A case is one episode of care. Its trace is the trace of the referral's first request, so work
done on it later (an acceptance, a re-plan, a visit recorded on a phone) joins that one trace,
linked to the request or message that caused it; its correlation id (BaRS `X-Correlation-ID`)
travels in every event's headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from carerelay_contract.model import Event

from .db import DbConnection
from .outbox import Outbox
from .tracing import case_span, current_trace_headers


@dataclass(frozen=True)
class Case:
    """Where events about one episode belong: its correlation id and its trace context. An empty
    trace context means "the trace we are in" (a handler continuing the producer's trace)."""

    correlation_id: str | None = None
    trace_headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def here(cls, correlation_id: str | None) -> Case:
        """The case whose trace is the current one (to store, when a case starts here)."""
        return cls(correlation_id, current_trace_headers())

    @classmethod
    def stored(cls, correlation_id: str | None, trace_context: str | Mapping[str, str] | None) -> Case:
        """A case as a service stored it (`trace_json()` in a jsonb or text column)."""
        if trace_context is None:
            return cls(correlation_id)
        headers = orjson.loads(trace_context) if isinstance(trace_context, str) else dict(trace_context)
        return cls(correlation_id, {str(name): str(value) for name, value in headers.items()})

    def trace_json(self) -> str:
        return orjson.dumps(dict(self.trace_headers)).decode()


async def emit(conn: DbConnection, outbox: Outbox, case: Case, event: Event, *, span: str | None = None) -> str:
    """Put `event` in the outbox (inside the caller's transaction) in `case`'s trace, carrying its
    correlation id; return the event id. `span` names the span opened in the case's trace (default:
    the event type)."""
    if not case.trace_headers:
        return await outbox.add(conn, event, correlation_id=case.correlation_id)
    with case_span(span or event.event_type, case.trace_headers):
        return await outbox.add(conn, event, correlation_id=case.correlation_id)
