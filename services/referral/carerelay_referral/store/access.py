"""The referral hub's access rules, in one place: the facts of a referral that the matrix decides on,
and the filter a caller's scopes put on lists. (The matrix itself: carerelay_access.matrix.)"""

from __future__ import annotations

from typing import Any

from carerelay_access.identity import Principal
from carerelay_access.matrix import RecordFacts, Scope, scope_filter
from carerelay_events.db import DbConnection


async def facts(conn: DbConnection, row: Any) -> RecordFacts:
    staff = await conn.fetch("SELECT staff_id FROM care_team WHERE episode_id = $1", row["episode_id"])
    return RecordFacts(
        team=row["team"],
        gp_practice=row["gp_practice"],
        submitted_by=row["submitted_by"],
        assigned_staff=frozenset(r["staff_id"] for r in staff),
    )


def list_filter(principal: Principal, scopes: set[Scope], first_param: int) -> tuple[str, list[Any]]:
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
            Scope.ASSIGNED: "episode_id IN (SELECT episode_id FROM care_team WHERE staff_id = {})",
        },
    )
