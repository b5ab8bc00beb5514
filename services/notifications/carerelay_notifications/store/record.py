"""`episode_record`: what happened in the episode, for the GP's discharge summary (completed visits,
assessments, onward referrals), as it arrived; one row per event."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import orjson

from carerelay_events.db import DbConnection

from ..domain.fhir.facts import AssessmentMade, EpisodeRecord, OnwardReferral, VisitMade


class Kind(StrEnum):
    VISIT = "visit"
    ASSESSMENT = "assessment"
    ONWARD_REFERRAL = "onward-referral"


async def remember(conn: DbConnection, event_id: str, episode_id: UUID, kind: Kind, at: datetime, data: dict[str, Any]) -> None:
    """Keep one thing that happened (once per event)."""
    await conn.execute(
        """
        INSERT INTO episode_record (event_id, episode_id, kind, at, data) VALUES ($1, $2, $3, $4, $5::jsonb)
        ON CONFLICT DO NOTHING
        """,
        event_id,
        episode_id,
        kind.value,
        at,
        orjson.dumps(data).decode(),
    )


async def what_happened(conn: DbConnection, episode_id: UUID) -> EpisodeRecord:
    """Everything kept for the episode, in the order it happened."""
    rows = await conn.fetch("SELECT kind, data FROM episode_record WHERE episode_id = $1 ORDER BY at, event_id", episode_id)
    visits: list[VisitMade] = []
    assessments: list[AssessmentMade] = []
    onward: list[OnwardReferral] = []
    for row in rows:
        data = orjson.loads(row["data"])
        if row["kind"] == Kind.VISIT:
            visits.append(_visit(data))
        elif row["kind"] == Kind.ASSESSMENT:
            assessments.append(_assessment(data))
        elif row["kind"] == Kind.ONWARD_REFERRAL:
            onward.append(_onward_referral(data))
    return EpisodeRecord(tuple(visits), tuple(assessments), tuple(onward))


def _visit(data: dict[str, Any]) -> VisitMade:
    return VisitMade(
        visit_id=UUID(data["visit_id"]),
        at=datetime.fromisoformat(data["at"]),
        discipline=data.get("discipline"),
        tasks_done=tuple(data.get("tasks_done", [])),
    )


def _assessment(data: dict[str, Any]) -> AssessmentMade:
    return AssessmentMade(
        assessment_id=UUID(data["assessment_id"]),
        kind=data["kind"],
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        news2_score=data.get("news2_score"),
        clinical_frailty_scale=data.get("clinical_frailty_scale"),
        summary=data.get("summary", ""),
        serious_concern=data.get("serious_concern", False),
    )


def _onward_referral(data: dict[str, Any]) -> OnwardReferral:
    wanted = data.get("wanted_from")
    return OnwardReferral(
        onward_referral_id=UUID(data["onward_referral_id"]),
        service=data["service"],
        made_at=datetime.fromisoformat(data["made_at"]),
        reason=data.get("reason", ""),
        wanted_from=datetime.fromisoformat(wanted).date() if wanted else None,
    )
