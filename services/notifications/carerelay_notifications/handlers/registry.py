"""The service's handlers, and where the messages they ask for are written."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_events.handlers import Handlers
from carerelay_events.processing import HandlerContext

from ..delivery.requester import Requester
from ..domain.messages import Trigger
from ..domain.reach import Reach

handlers: Handlers[Reach] = Handlers()
"""Typed by event class; their resources are the deployment's `Reach` (time zone, quiet hours, channels)."""


def requester(context: HandlerContext[Reach]) -> Requester:
    """Messages asked for by the event being handled: in its transaction and its case's trace,
    idempotent on its id."""
    return Requester(
        context.conn, context.outbox, context.case, Trigger(context.metadata.id, datetime.now(UTC)), context.resources
    )
