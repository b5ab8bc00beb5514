"""Requesting a message: the `messages` row and its `notification.requested` event, in the caller's
transaction (a handler's, the delivery worker's or the dead-letter watch's), in the case's trace.

Idempotent on (trigger event, audience, channel, recipient): the same trigger never tells anyone
twice, however often it is delivered. In-app messages are delivered by being stored, so they are
`delivered` at once; a referrer's notice is only recorded; every other channel is `pending` until
the delivery worker sends it (after quiet hours, for non-urgent patient and family messages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from carerelay_events.case import Case, emit
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox

from ..domain.messages import Message, MessageRequest, Status, Trigger, delivered, first_state, requested
from ..domain.reach import Reach
from ..store import messages
from .metrics import REQUESTED


def case_of(message: Message) -> Case:
    """The case a stored message belongs to: its outcomes (delivered, failed, cancelled) join the
    trace of the trigger that asked for it, with its correlation id."""
    return Case.stored(message.correlation_id, message.trace_headers)


@dataclass(frozen=True)
class Requester:
    """Where a trigger's messages are written: the transaction's connection, the outbox, the case
    (its correlation id and trace), the trigger, and the reach (for quiet hours)."""

    conn: DbConnection
    outbox: Outbox
    case: Case
    trigger: Trigger
    reach: Reach

    @property
    def now(self) -> datetime:
        return self.trigger.at

    async def request(self, wanted: MessageRequest) -> UUID | None:
        """Store the message and publish `notification.requested`; None if this trigger already asked."""
        notification_id, now = uuid4(), self.trigger.at
        state = first_state(wanted, now, self.reach)
        # The row keeps the trace its sends and outcomes will join: the case's, or else the one we are in.
        trace = self.case if self.case.trace_headers else Case.here(self.case.correlation_id)
        stored = await messages.add(
            self.conn, notification_id, wanted, state, self.trigger.event_id, now, self.case.correlation_id, trace.trace_json()
        )
        if not stored:
            return None
        REQUESTED.labels(wanted.audience.value, wanted.channel.value).inc()
        await emit(self.conn, self.outbox, self.case, requested(notification_id, wanted, self.trigger))
        if state.status is Status.DELIVERED:
            await emit(self.conn, self.outbox, self.case, delivered(wanted.episode_id, notification_id, wanted.channel, now))
        elif state.status is Status.PENDING:
            await messages.wake_delivery(self.conn)
        return notification_id

    async def request_all(self, wanted: Iterable[MessageRequest]) -> None:
        """Each of `wanted`, in order."""
        for one in wanted:
            await self.request(one)
