"""Response clocks. A clock starts when a referral is received, gets its deadline from triage, and
stops at first contact (the first visit started). It fires:

- at risk: once the configured fraction of the allowed time has passed with no visit assigned, or
  as soon as the assigned visit is due after the deadline;
- breached: at the deadline without first contact;
- met: at first contact before the deadline.

State lives in PostgreSQL, not process memory, so clocks survive a restart; each event is written to
the outbox in the same transaction that marks it fired, so redelivery or a restart never fires twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from carerelay_contract.triage import ResponseClockAtRisk, ResponseClockBreached, ResponseClockMet
from carerelay_contract.vocabulary import ResponseTier
from carerelay_events.db import DbConnection
from carerelay_events.outbox import Outbox
from carerelay_events.tracing import case_span, current_trace_headers


async def start(conn: DbConnection, episode_id: UUID, referral_id: UUID, received_at: datetime) -> None:
    await conn.execute(
        """
        INSERT INTO response_clocks (episode_id, referral_id, received_at, trace_context) VALUES ($1, $2, $3, $4::jsonb)
        ON CONFLICT (episode_id) DO NOTHING
        """,
        episode_id,
        referral_id,
        received_at,
        orjson.dumps(current_trace_headers()).decode(),
    )


async def set_deadline(
    conn: DbConnection, episode_id: UUID, tier: ResponseTier, deadline: datetime, at_risk_fraction: float
) -> None:
    received_at = await conn.fetchval("SELECT received_at FROM response_clocks WHERE episode_id = $1", episode_id)
    if received_at is None:
        return
    at_risk_at = received_at + (deadline - received_at) * at_risk_fraction
    await conn.execute(
        "UPDATE response_clocks SET tier = $2, deadline = $3, at_risk_at = $4 WHERE episode_id = $1",
        episode_id,
        tier.value,
        deadline,
        at_risk_at,
    )


async def visit_assigned(conn: DbConnection, episode_id: UUID, visit_id: UUID, planned_start: datetime) -> None:
    """A visit to the person is planned for `planned_start`: the clock's first contact is due at the
    earliest of the episode's planned visits."""
    await conn.execute(
        """
        INSERT INTO clock_visits (visit_id, episode_id, planned_start) VALUES ($1, $2, $3)
        ON CONFLICT (visit_id) DO UPDATE SET planned_start = $3
        """,
        visit_id,
        episode_id,
        planned_start,
    )
    await _earliest_visit(conn, episode_id)


async def visit_withdrawn(conn: DbConnection, episode_id: UUID, visit_id: UUID) -> None:
    """A visit cancelled or left without anyone: it no longer counts towards the first contact."""
    await conn.execute("DELETE FROM clock_visits WHERE visit_id = $1", visit_id)
    await _earliest_visit(conn, episode_id)


async def _earliest_visit(conn: DbConnection, episode_id: UUID) -> None:
    await conn.execute(
        """
        UPDATE response_clocks SET assigned_start = (SELECT min(planned_start) FROM clock_visits WHERE episode_id = $1)
        WHERE episode_id = $1 AND first_contact_at IS NULL
        """,
        episode_id,
    )


async def stop(conn: DbConnection, episode_id: UUID) -> None:
    """The referral was rejected or cancelled: no one is coming, the clock no longer runs."""
    await conn.execute("UPDATE response_clocks SET stopped = true WHERE episode_id = $1", episode_id)


async def first_contact(conn: DbConnection, outbox: Outbox, episode_id: UUID, at: datetime) -> None:
    """The first visit started: stop the clock, and fire `met` if it was within the deadline."""
    clock = await conn.fetchrow(
        "UPDATE response_clocks SET first_contact_at = $2 WHERE episode_id = $1 AND first_contact_at IS NULL RETURNING *",
        episode_id,
        at,
    )
    if clock is None or clock["stopped"] or clock["deadline"] is None or clock["met_fired"]:
        return
    if at <= clock["deadline"]:
        await conn.execute("UPDATE response_clocks SET met_fired = true WHERE episode_id = $1", episode_id)
        await outbox.add(
            conn,
            ResponseClockMet(
                episode_id=episode_id,
                referral_id=clock["referral_id"],
                tier=ResponseTier(clock["tier"]),
                deadline=clock["deadline"],
                first_contact_at=at,
                minutes_to_first_contact=max(0, int((at - clock["received_at"]) / timedelta(minutes=1))),
            ),
        )


async def tick(conn: DbConnection, outbox: Outbox, now: datetime | None = None) -> int:
    """Fire what is due, once each; return how many events were fired. Run in a transaction."""
    now = now or datetime.now(UTC)
    due = await conn.fetch(
        """
        SELECT * FROM response_clocks
        WHERE NOT stopped AND first_contact_at IS NULL AND deadline IS NOT NULL
          AND ((NOT breached_fired AND deadline <= $1)
               OR (NOT at_risk_fired AND (at_risk_at <= $1 AND (assigned_start IS NULL OR assigned_start > deadline)
                                          OR assigned_start > deadline)))
        ORDER BY deadline LIMIT 200 FOR UPDATE SKIP LOCKED
        """,
        now,
    )
    fired = 0
    for clock in due:
        with case_span("response-clock", orjson.loads(clock["trace_context"])):
            fired += await _fire(conn, outbox, clock, now)
    return fired


async def _fire(conn: DbConnection, outbox: Outbox, clock: Any, now: datetime) -> int:
    fired = 0
    episode_id, tier, deadline = clock["episode_id"], ResponseTier(clock["tier"]), clock["deadline"]
    if not clock["at_risk_fired"]:
        why = (
            "the assigned visit is due after the deadline"
            if clock["assigned_start"] is not None and clock["assigned_start"] > deadline
            else "no visit assigned"
        )
        await outbox.add(
            conn,
            ResponseClockAtRisk(
                episode_id=episode_id, referral_id=clock["referral_id"], tier=tier, deadline=deadline, at=now, why=why
            ),
        )
        fired += 1
    if deadline <= now and not clock["breached_fired"]:
        await outbox.add(
            conn,
            ResponseClockBreached(episode_id=episode_id, referral_id=clock["referral_id"], tier=tier, deadline=deadline, at=now),
        )
        fired += 1
    await conn.execute(
        "UPDATE response_clocks SET at_risk_fired = true, breached_fired = breached_fired OR $2 WHERE episode_id = $1",
        episode_id,
        deadline <= now,
    )
    return fired
