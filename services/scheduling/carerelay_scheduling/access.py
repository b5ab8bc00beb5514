"""Scheduling's access rules, in one place: who may see which visits (carerelay_access.matrix)."""

from __future__ import annotations

from typing import Any

from carerelay_access.identity import Principal
from carerelay_access.matrix import Scope


def visit_filter(principal: Principal, scopes: set[Scope], first_param: int) -> tuple[str, list[Any]]:
    """A SQL condition on `v` (visits) and `s` (the assigned staff) admitting what the scopes cover."""
    if Scope.ALL in scopes:
        return "true", []
    conditions: list[str] = []
    params: list[Any] = []
    if Scope.TEAM in scopes and principal.team:
        params.append(principal.team)
        conditions.append(f"s.team = ${first_param + len(params) - 1}")
    if Scope.ASSIGNED in scopes and principal.staff_id:
        params.append(principal.staff_id)
        conditions.append(f"v.staff_id = ${first_param + len(params) - 1}")
    return ("(" + " OR ".join(conditions) + ")" if conditions else "false"), params
