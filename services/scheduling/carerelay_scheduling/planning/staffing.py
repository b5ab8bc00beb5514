"""Who the planner may use in a window: those on shift (the rota, with explicit shifts and absences),
each free from the end of the visit they are in (or on their way to), there."""

from __future__ import annotations

from datetime import datetime

from carerelay_events.db import DbConnection

from ..domain.live_plan import free_to_plan
from ..domain.planner.input import StaffMember
from ..domain.rota import on_shift
from ..store import rota, visits


async def staff_on_shift(conn: DbConnection, window: tuple[datetime, datetime]) -> list[StaffMember]:
    """Everyone working in the window, one shift each, clipped to it, absences taken out."""
    return on_shift(await rota.rota_around(conn, window), window)


async def available_staff(conn: DbConnection, window: tuple[datetime, datetime]) -> list[StaffMember]:
    """Staff on shift, each free from the end of the visit they are in (or on their way to), there."""
    busy = await visits.busy_staff(conn, window[0])
    free = (free_to_plan(member, busy.get(member.staff_id), window[0]) for member in await staff_on_shift(conn, window))
    return [member for member in free if member is not None]
