"""The rota: bases (with their team), staff (discipline, employer, base, skills, team, working pattern),
explicit shifts and absences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from carerelay_events.db import DbConnection

from ..domain.pins import Colleague
from ..domain.planner.input import Point
from ..domain.rota import Rota, RotaMember


async def on_the_rota(conn: DbConnection) -> list[Any]:
    """Active staff with discipline, employer, team and base name, by name (no patient data)."""
    return list(
        await conn.fetch(
            """
            SELECT s.staff_id, s.display_name, s.discipline, s.employer, s.team, b.name AS base
            FROM staff s JOIN bases b USING (base_id) WHERE s.active ORDER BY s.display_name
            """
        )
    )


async def by_team(conn: DbConnection) -> list[Any]:
    """Active staff with discipline, team and skills, by team then name."""
    return list(
        await conn.fetch(
            "SELECT staff_id, display_name, discipline, team, skills FROM staff WHERE active ORDER BY team, display_name"
        )
    )


async def rota_around(conn: DbConnection, window: tuple[datetime, datetime]) -> Rota:
    """The active staff, with their explicit shifts and absences overlapping the window."""
    members = await conn.fetch(
        """
        SELECT s.staff_id, s.discipline, s.skills, s.working_pattern, b.latitude, b.longitude
        FROM staff s JOIN bases b USING (base_id) WHERE s.active
        """
    )
    explicit = await conn.fetch(
        "SELECT staff_id, starts_at, ends_at, break_minutes FROM shifts WHERE ends_at > $1 AND starts_at < $2", *window
    )
    away = await conn.fetch("SELECT staff_id, starts_at, ends_at FROM absences WHERE ends_at > $1 AND starts_at < $2", *window)
    shifts: dict[UUID, list[tuple[datetime, datetime, int]]] = {}
    for shift in explicit:
        shifts.setdefault(shift["staff_id"], []).append((shift["starts_at"], shift["ends_at"], shift["break_minutes"]))
    absences: dict[UUID, list[tuple[datetime, datetime]]] = {}
    for absence in away:
        absences.setdefault(absence["staff_id"], []).append((absence["starts_at"], absence["ends_at"]))
    return Rota(
        members=[
            RotaMember(
                staff_id=row["staff_id"],
                discipline=row["discipline"],
                skills=frozenset(row["skills"]),
                working_pattern=row["working_pattern"],
                base=Point(row["latitude"], row["longitude"]),
            )
            for row in members
        ],
        shifts=shifts,
        absences=absences,
    )


async def team_bases(conn: DbConnection) -> dict[str, Point]:
    """Each team's base (the first by name when a team has several)."""
    rows = await conn.fetch("SELECT team, latitude, longitude FROM bases ORDER BY name")
    bases: dict[str, Point] = {}
    for row in rows:
        bases.setdefault(row["team"], Point(row["latitude"], row["longitude"]))
    return bases


async def teams_of(conn: DbConnection, staff_ids: Sequence[UUID]) -> dict[UUID, str]:
    """The team of each of these who is active on the rota (the others are left out)."""
    rows = await conn.fetch("SELECT staff_id, team FROM staff WHERE active AND staff_id = ANY($1::uuid[])", list(staff_ids))
    return {row["staff_id"]: row["team"] for row in rows}


async def colleagues(conn: DbConnection, staff_ids: Sequence[UUID]) -> list[Colleague]:
    rows = await conn.fetch(
        "SELECT staff_id, display_name, discipline, skills FROM staff WHERE staff_id = ANY($1::uuid[])", list(staff_ids)
    )
    return [Colleague(row["staff_id"], row["display_name"], row["discipline"], frozenset(row["skills"])) for row in rows]


async def add_absence(
    conn: DbConnection, absence_id: UUID, staff_id: UUID, starts_at: datetime, ends_at: datetime, reason: str
) -> None:
    await conn.execute(
        "INSERT INTO absences (absence_id, staff_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5)",
        absence_id,
        staff_id,
        starts_at,
        ends_at,
        reason,
    )
