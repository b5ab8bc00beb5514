"""Publishing events about many cases from one transaction (a re-plan touches many people's visits):
each in its own case's trace and with its correlation id, as stored with the episode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from carerelay_contract.model import Event
from carerelay_events.case import Case, emit
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox

from ..store import episodes

Emit = Callable[[Event], Awaitable[str]]
"""Publish one event (through the outbox, in the caller's transaction); returns its id."""


class CaseEvents:
    """`emit(event)` puts the event in the outbox in its episode's case (looked up once per episode)."""

    def __init__(self, conn: DbConnection, outbox: Outbox) -> None:
        self.conn = conn
        self.outbox = outbox
        self._cases: dict[UUID, Case] = {}

    async def emit(self, event: Event) -> str:
        episode_id = event.episode_id
        if episode_id not in self._cases:
            self._cases[episode_id] = await episodes.case_of(self.conn, episode_id)
        return await emit(self.conn, self.outbox, self._cases[episode_id], event, span=f"scheduling.{event.event_type}")
