"""The referral hub's access rules, in one place: the facts of a referral that the matrix decides on,
and the filter a caller's scopes put on lists. (The matrix itself: carerelay_access.matrix.)"""

from __future__ import annotations

from typing import Any

from carerelay_access.identity import Principal
from carerelay_access.matrix import RecordFacts, Scope
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
    the caller's scopes cover. Several scopes widen the set (OR)."""
    if Scope.ALL in scopes:
        return "true", []
    conditions: list[str] = []
    params: list[Any] = []

    def param(value: Any) -> str:
        params.append(value)
        return f"${first_param + len(params) - 1}"

    if Scope.TEAM in scopes and principal.team:
        conditions.append(f"team = {param(principal.team)}")
    if Scope.PRACTICE in scopes and principal.gp_practice:
        conditions.append(f"gp_practice = {param(principal.gp_practice)}")
    if Scope.OWN_SUBMISSIONS in scopes and principal.client_id:
        conditions.append(f"submitted_by = {param(principal.client_id)}")
    if Scope.ASSIGNED in scopes and principal.staff_id:
        conditions.append(f"episode_id IN (SELECT episode_id FROM care_team WHERE staff_id = {param(principal.staff_id)})")
    return ("(" + " OR ".join(conditions) + ")" if conditions else "false"), params
