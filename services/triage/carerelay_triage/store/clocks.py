"""`response_clocks` and `clock_visits`: one clock per episode, from received to first contact, with
the case it belongs to (correlation id and trace context); and the visits that could be the first
contact. Each alarm's flag is set in the transaction that publishes it, so nothing fires twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_contract.vocabulary import ResponseTier
from carerelay_events.case import Case
from carerelay_events.db import DbConnection

from ..domain.response_clock import ResponseClock


async def start(conn: DbConnection, clock: ResponseClock, case: Case) -> None:
    """Store a new clock for `case`; an episode's clock, once started, is kept (no change)."""
    await conn.execute(
        """
        INSERT INTO response_clocks (episode_id, referral_id, received_at, correlation_id, trace_context)
        VALUES ($1, $2, $3, $4, $5::jsonb)
        ON CONFLICT (episode_id) DO NOTHING
        """,
        clock.episode_id,
        clock.referral_id,
        clock.received_at,
        case.correlation_id,
        case.trace_json(),
    )


async def load(conn: DbConnection, episode_id: UUID) -> ResponseClock | None:
    row = await conn.fetchrow("SELECT * FROM response_clocks WHERE episode_id = $1", episode_id)
    return None if row is None else _clock(row)


async def case_of(conn: DbConnection, episode_id: UUID) -> Case | None:
    """The case the episode's clock was started in (None: no clock)."""
    row = await conn.fetchrow("SELECT correlation_id, trace_context FROM response_clocks WHERE episode_id = $1", episode_id)
    return None if row is None else Case.stored(row["correlation_id"], row["trace_context"])


async def save_deadline(conn: DbConnection, clock: ResponseClock) -> None:
    """Store the clock's tier, deadline and at-risk point."""
    await conn.execute(
        "UPDATE response_clocks SET tier = $2, deadline = $3, at_risk_at = $4 WHERE episode_id = $1",
        clock.episode_id,
        clock.tier.value if clock.tier else None,
        clock.deadline,
        clock.at_risk_at,
    )


async def visit_planned(conn: DbConnection, episode_id: UUID, visit_id: UUID, planned_start: datetime) -> None:
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
    """The referral was rejected or cancelled, or the person admitted to hospital: the clock no longer runs."""
    await conn.execute("UPDATE response_clocks SET stopped = true WHERE episode_id = $1", episode_id)


async def first_contact(conn: DbConnection, episode_id: UUID, at: datetime) -> ResponseClock | None:
    """Record the first contact at `at` and return the clock; None if it had one already (or no clock)."""
    row = await conn.fetchrow(
        "UPDATE response_clocks SET first_contact_at = $2 WHERE episode_id = $1 AND first_contact_at IS NULL RETURNING *",
        episode_id,
        at,
    )
    return None if row is None else _clock(row)


async def met_fired(conn: DbConnection, episode_id: UUID) -> None:
    await conn.execute("UPDATE response_clocks SET met_fired = true WHERE episode_id = $1", episode_id)


async def due(conn: DbConnection, now: datetime, limit: int = 200) -> list[tuple[ResponseClock, Case]]:
    """Running clocks that may have an alarm due at `now` (`response_clock.alarms` says which), each
    with its case; locked until the transaction ends, and skipped if another tick holds them."""
    rows = await conn.fetch(
        """
        SELECT * FROM response_clocks
        WHERE NOT stopped AND first_contact_at IS NULL AND deadline IS NOT NULL
          AND ((NOT breached_fired AND deadline <= $1)
               OR (NOT at_risk_fired AND (at_risk_at <= $1 AND assigned_start IS NULL OR assigned_start > deadline)))
        ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED
        """,
        now,
        limit,
    )
    return [(_clock(row), Case.stored(row["correlation_id"], row["trace_context"])) for row in rows]


async def alarms_fired(conn: DbConnection, episode_id: UUID, breached: bool) -> None:
    """The clock's at-risk has fired (with its breach, if `breached`)."""
    await conn.execute(
        "UPDATE response_clocks SET at_risk_fired = true, breached_fired = breached_fired OR $2 WHERE episode_id = $1",
        episode_id,
        breached,
    )


def _clock(row: Any) -> ResponseClock:
    return ResponseClock(
        episode_id=row["episode_id"],
        referral_id=row["referral_id"],
        received_at=row["received_at"],
        tier=ResponseTier(row["tier"]) if row["tier"] else None,
        deadline=row["deadline"],
        at_risk_at=row["at_risk_at"],
        assigned_start=row["assigned_start"],
        first_contact_at=row["first_contact_at"],
        stopped=row["stopped"],
        at_risk_fired=row["at_risk_fired"],
        breached_fired=row["breached_fired"],
        met_fired=row["met_fired"],
    )
