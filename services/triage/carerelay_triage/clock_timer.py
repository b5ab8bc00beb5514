"""The response clocks' timer: at each tick, every alarm that is due fires once, published in its
case's trace with its correlation id, in the transaction that marks it fired (a restart or a second
worker never fires one twice). The faust timer in `app` calls `tick`, then `count` once the
transaction has committed: the operator's figures of clocks at risk and breached, by tier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prometheus_client import Counter

from carerelay_contract.triage import ResponseClockBreached
from carerelay_contract.vocabulary import ResponseTier
from carerelay_events.case import emit
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox

from .domain.response_clock import ClockAlarm, alarms
from .store import clocks

BREACHES = Counter(
    "carerelay_response_clock_breaches_total", "Response clocks that reached their deadline without first contact", ["tier"]
)
AT_RISK = Counter("carerelay_response_clock_at_risk_total", "Response clocks that fired at risk", ["tier"])
for _tier in ResponseTier:  # every tier shows from the start, at 0: "none breached" reads as 0, not as no data
    BREACHES.labels(_tier.value)
    AT_RISK.labels(_tier.value)


async def tick(conn: DbConnection, outbox: Outbox, now: datetime | None = None) -> list[ClockAlarm]:
    """Fire what is due at `now` (default: the present), once each; return the alarms fired.
    Run in a transaction."""
    now = now or datetime.now(UTC)
    fired: list[ClockAlarm] = []
    for clock, case in await clocks.due(conn, now):
        due = alarms(clock, now)
        if not due:
            continue
        for alarm in due:
            await emit(conn, outbox, case, alarm, span="response-clock")
        await clocks.alarms_fired(conn, clock.episode_id, breached=any(isinstance(alarm, ResponseClockBreached) for alarm in due))
        fired += due
    return fired


def count(fired: Sequence[ClockAlarm]) -> None:
    """Count alarms whose transaction committed (labelled by tier only: never an episode)."""
    for alarm in fired:
        (BREACHES if isinstance(alarm, ResponseClockBreached) else AT_RISK).labels(alarm.tier.value).inc()
