"""Who the planner may use in a window: those on shift (the rota, with explicit shifts and absences),
each free from the end of the visit they are in (or on their way to), there."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from carerelay_events.db import DbConnection

from ..domain.live_plan import free_to_plan
from ..domain.planner.input import StaffMember
from ..domain.rota import Working, on_shift
from ..store import rota, visits


async def staff_on_shift(conn: DbConnection, window: tuple[datetime, datetime], *, next_first: bool = False) -> list[Working]:
    """Everyone working in the window, one shift each, clipped to it, absences taken out (domain/rota.on_shift)."""
    return on_shift(await rota.rota_around(conn, window), window, next_first=next_first)


async def available_staff(
    conn: DbConnection, window: tuple[datetime, datetime], *, next_first: bool = False
) -> tuple[list[StaffMember], dict[UUID, tuple[tuple[datetime, datetime], ...]]]:
    """Staff on shift, each free from the end of the visit they are in (or on their way to), there; and
    each one's other stretches of work in the window."""
    busy = await visits.busy_staff(conn, window[0])
    working = await staff_on_shift(conn, window, next_first=next_first)
    free = (free_to_plan(each.member, busy.get(each.member.staff_id), window[0]) for each in working)
    return [member for member in free if member is not None], {
        each.member.staff_id: each.other_stretches for each in working if each.other_stretches
    }
