"""Staff for system tests that need the planner to find someone free: the shared system's demo rota is
thin (three rapid-response nurses by day), and the tests before such a test may have filled its next
hours with visits of their own. A bank nurse booked for the next hours is what a hub would call in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from .system import RunningSystem


async def bank_nurses(system: RunningSystem, count: int = 2, team: str = "north", hours: float = 8.0) -> list[UUID]:
    """Enough nurses for the visits left waiting for someone free (earlier tests' first responses with no
    capacity, each as urgent as the test's own) and the test's own, so the planner need not choose."""
    waiting = await system.query(
        "scheduling",
        """
        SELECT count(*) AS n FROM unassigned_visits JOIN visits USING (visit_id)
        WHERE visits.discipline = 'nurse' AND visits.latest_start BETWEEN now() AND now() + interval '3 hours'
        """,
    )
    count = max(count, 1 + int(waiting[0]["n"]) // 4)  # a nurse makes four or more visits in eight hours
    return [await a_bank_nurse(system, team, hours) for _ in range(count)]


async def a_bank_nurse(system: RunningSystem, team: str = "north", hours: float = 8.0, staff_id: UUID | None = None) -> UUID:
    """A nurse of `team`, at its base, on an explicit shift from now for `hours`; their staff id
    (`staff_id`, or a new one)."""
    staff_id, now = staff_id or uuid4(), datetime.now(UTC)
    await system.query(
        "scheduling",
        """
        INSERT INTO staff (staff_id, display_name, discipline, employer, base_id, skills, team, working_pattern)
        SELECT $1, $2, 'nurse', 'community-health-trust', base_id, '{}', team, 'day' FROM bases WHERE team = $3 LIMIT 1
        """,
        staff_id,
        f"Bank Nurse {str(staff_id)[:8]}",
        team,
    )
    await system.query(
        "scheduling",
        "INSERT INTO shifts (staff_id, starts_at, ends_at, break_minutes) VALUES ($1, $2, $3, 0)",
        staff_id,
        now - timedelta(minutes=5),
        now + timedelta(hours=hours),
    )
    return staff_id
