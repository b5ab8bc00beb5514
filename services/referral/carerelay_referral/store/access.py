"""The facts of a referral that the access matrix decides on, and the condition a caller's scopes
put on a list of referrals. (The matrix itself: carerelay_access.matrix.)"""

from __future__ import annotations

from typing import Any

from carerelay_access.identity import Principal
from carerelay_access.matrix import RecordFacts, Scope, scope_filter
from carerelay_events.db import DbConnection

from ..domain.referral import Referral


async def facts(conn: DbConnection, referral: Referral) -> RecordFacts:
    staff = await conn.fetch("SELECT staff_id FROM care_team WHERE episode_id = $1 AND ended_at IS NULL", referral.episode_id)
    return RecordFacts(
        team=referral.team,
        gp_practice=referral.gp_practice,
        submitted_by=referral.submitted_by,
        assigned_staff=frozenset(r["staff_id"] for r in staff),
    )


def visible_to(principal: Principal, scopes: set[Scope], first_param: int) -> tuple[str, list[Any]]:
    """A SQL condition (and its parameters, numbered from `first_param`) admitting only the referrals
    the caller's scopes cover."""
    return scope_filter(
        principal,
        scopes,
        first_param,
        {
            Scope.TEAM: "team = {}",
            Scope.PRACTICE: "gp_practice = {}",
            Scope.OWN_SUBMISSIONS: "submitted_by = {}",
            Scope.ASSIGNED: "episode_id IN (SELECT episode_id FROM care_team WHERE staff_id = {} AND ended_at IS NULL)",
        },
    )
