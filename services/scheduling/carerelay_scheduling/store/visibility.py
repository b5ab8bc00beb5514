"""Who may see which visits, as SQL: the access matrix's scopes (carerelay_access.matrix) over `visits v`
and the assigned staff `staff s`, in one place for every query that lists visits."""

from __future__ import annotations

from typing import Any

from carerelay_access.identity import Principal
from carerelay_access.matrix import Scope, scope_filter


def visit_filter(principal: Principal, scopes: set[Scope], first_param: int) -> tuple[str, list[Any]]:
    """A SQL condition on `v` (visits) and `s` (the assigned staff) admitting what the scopes cover."""
    return scope_filter(
        principal,
        scopes,
        first_param,
        {
            # a team's visits: those its staff make, and those of the people it covers (even unallocated)
            Scope.TEAM: "(s.team = {0} OR v.episode_id IN (SELECT episode_id FROM episodes WHERE team = {0}))",
            Scope.ASSIGNED: "(v.staff_id = {0} OR v.second_staff_id = {0})",
        },
    )
