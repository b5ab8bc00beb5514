"""Proposed care plan changes (`care_plan_proposals`), kept from the clinician's proposal until decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from carerelay_contract.parts import RecurringVisit
from carerelay_events.db import DbConnection

from ..domain.actions.outcome import Decision, Proposal


async def keep(conn: DbConnection, proposal: Proposal) -> None:
    await conn.execute(
        """
        INSERT INTO care_plan_proposals (proposal_id, episode_id, care_plan_id, reason, visits, declined, proposed_at,
                                         proposed_by)
        VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
        """,
        proposal.proposal_id,
        proposal.episode_id,
        proposal.care_plan_id,
        proposal.reason,
        orjson.dumps([line.model_dump(mode="json") for line in proposal.visits]).decode(),
        list(proposal.declined),
        proposal.proposed_at,
        proposal.proposed_by,
    )


async def for_update(conn: DbConnection, proposal_id: UUID) -> tuple[Proposal, str | None] | None:
    """The proposal (locked until the transaction ends) and its episode's team; None when there is none."""
    row = await conn.fetchrow(
        """
        SELECT p.*, e.team FROM care_plan_proposals p LEFT JOIN episodes e USING (episode_id)
        WHERE p.proposal_id = $1 FOR UPDATE OF p
        """,
        proposal_id,
    )
    return None if row is None else (_proposal(row), row["team"])


async def decide(conn: DbConnection, proposal_id: UUID, decision: Decision, at: datetime, by: str, reason: str) -> None:
    await conn.execute(
        """
        UPDATE care_plan_proposals SET decision = $2, decided_at = $3, decided_by = $4, decision_reason = $5
        WHERE proposal_id = $1
        """,
        proposal_id,
        decision.value,
        at,
        by,
        reason,
    )


@dataclass(frozen=True)
class Waiting:
    proposal: Proposal
    team: str | None
    person: str | None
    """The person's name, for the coordinator who plans their visits."""


async def waiting(conn: DbConnection, team: str | None) -> list[Waiting]:
    """The proposals not yet decided, oldest first: all of them, or one team's people's (`team`)."""
    rows = await conn.fetch(
        """
        SELECT p.*, e.team, e.given_name || ' ' || e.family_name AS person
        FROM care_plan_proposals p LEFT JOIN episodes e USING (episode_id)
        WHERE p.decision IS NULL AND ($1::text IS NULL OR e.team = $1)
          AND NOT EXISTS (SELECT 1 FROM episode_closures c WHERE c.episode_id = p.episode_id)
        ORDER BY p.proposed_at LIMIT 200
        """,
        team,
    )
    return [Waiting(_proposal(row), row["team"], row["person"]) for row in rows]


def _proposal(row: Any) -> Proposal:
    raw = row["visits"]
    lines = orjson.loads(raw) if isinstance(raw, str) else raw
    return Proposal(
        proposal_id=row["proposal_id"],
        episode_id=row["episode_id"],
        care_plan_id=row["care_plan_id"],
        reason=row["reason"],
        visits=tuple(RecurringVisit.model_validate(line) for line in lines),
        declined=tuple(row["declined"]),
        proposed_at=row["proposed_at"],
        proposed_by=row["proposed_by"],
        decision=Decision(row["decision"]) if row["decision"] else None,
        decided_at=row["decided_at"],
    )
