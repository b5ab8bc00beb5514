"""The response clocks' timer: at each tick, every alarm that is due fires once, published in its
case's trace with its correlation id, in the transaction that marks it fired (a restart or a second
worker never fires one twice). The faust timer in `app` calls `tick`."""

from __future__ import annotations

from datetime import UTC, datetime

from carerelay_contract.triage import ResponseClockBreached
from carerelay_events.case import emit
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox

from .domain.response_clock import alarms
from .store import clocks


async def tick(conn: DbConnection, outbox: Outbox, now: datetime | None = None) -> int:
    """Fire what is due at `now` (default: the present), once each; return how many events fired.
    Run in a transaction."""
    now = now or datetime.now(UTC)
    fired = 0
    for clock, case in await clocks.due(conn, now):
        due = alarms(clock, now)
        if not due:
            continue
        for alarm in due:
            await emit(conn, outbox, case, alarm, span="response-clock")
        await clocks.alarms_fired(conn, clock.episode_id, breached=any(isinstance(alarm, ResponseClockBreached) for alarm in due))
        fired += len(due)
    return fired
