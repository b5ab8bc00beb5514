"""Visits for the clinician app's tests: a real referral taken by the hub, triaged and accepted (so
scheduling knows the person and plans the first visit), then the visit given to the member of staff
a test needs, as a coordinator's pinned assignment would be: the row pinned to them and
`visit.assigned` published, as scheduling publishes it (the pin API would re-plan the time; these
tests need the visit to start when they say)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from carerelay_contract.visit import VisitAssigned
from carerelay_testing.factories import fresh_nhs_number, mrs_a, referral_submission

from .kafka import publish
from .system import HUB_HANDLER, RunningSystem
from .waiting import eventually

# Demo staff (carerelay_stack.rota.staff_id of their display names; infra/issuer's demo users).
AMARA = UUID("14e4a0c4-dde5-54f8-9ea9-ca46aaf78101")  # Nurse Amara Okafor (amara.okafor)
TOM = UUID("78f3ae81-eb9a-5fe5-a7d3-85ce7ed03a9c")  # Nurse Tom Bryce (tom.bryce)
LEAH = UUID("a8ea0358-590a-50a5-b403-dfe00cd250c6")  # OT Leah Morgan (leah.morgan)
JOE = UUID("f976d609-5ee2-5721-aabf-7bbe4b26f40c")  # Carer Joe Evans (joe.evans)


@dataclass(frozen=True)
class Arranged:
    referral_id: str
    episode_id: UUID
    visit_id: UUID


def a_person(given_name: str, family_name: str, address: str, access_notes: str, reason: str) -> dict[str, Any]:
    """A referral body (carerelay_testing's, for Mrs A) for another synthetic person in the north team's
    area (LE1), with a fresh NHS number."""
    patient = mrs_a(
        nhs_number=fresh_nhs_number(), given_name=given_name, family_name=family_name, address=address, date_of_birth="1936-05-14"
    )
    return referral_submission(patient=patient, reason=reason, access_notes=access_notes)


async def a_referred_visit(system: RunningSystem, body: dict[str, Any]) -> Arranged:
    """Take the referral at the hub, accept it once triaged, and wait for scheduling's first visit, decided by
    its re-planner (assigned, or noted unassignable), so that no re-plan still to come moves it after the test."""
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=body)
    assert response.status_code == 201, response.text
    referral = response.json()
    await system.accept(referral["referral_id"])
    rows = await eventually(
        lambda: system.query(
            "scheduling",
            """
            SELECT v.visit_id, v.episode_id FROM visits v JOIN episodes e USING (episode_id)
            WHERE v.referral_id = $1::uuid
              AND (v.status <> 'planned' OR EXISTS (SELECT 1 FROM unassigned_visits u WHERE u.visit_id = v.visit_id))
              AND NOT EXISTS (SELECT 1 FROM replan_requests)
            """,
            referral["referral_id"],
        ),
        what="scheduling to plan the first visit and decide it",
    )
    return Arranged(referral["referral_id"], rows[0]["episode_id"], rows[0]["visit_id"])


async def give(system: RunningSystem, visit_id: UUID, staff_id: UUID, start_in: timedelta = timedelta(minutes=5)) -> None:
    """Pin the visit to `staff_id` and publish the assignment, as a coordinator's reassignment would."""
    start = datetime.now(UTC) + start_in
    rows = await system.query(
        "scheduling",
        """
        UPDATE visits SET staff_id = $2, second_staff_id = NULL, status = 'assigned', planned_start = $3, pinned = true
        WHERE visit_id = $1 RETURNING episode_id
        """,
        visit_id,
        staff_id,
        start,
    )
    await system.query("scheduling", "DELETE FROM unassigned_visits WHERE visit_id = $1", visit_id)
    await publish(
        system.kafka,
        VisitAssigned(
            episode_id=rows[0]["episode_id"],
            visit_id=visit_id,
            staff_id=staff_id,
            planned_start=start,
            pinned=True,
            why=["pinned by the coordinator"],
        ),
        source="/carerelay/scheduling",
    )


async def a_visit_for(
    system: RunningSystem, staff_id: UUID, body: dict[str, Any], start_in: timedelta = timedelta(minutes=5)
) -> Arranged:
    arranged = await a_referred_visit(system, body)
    await give(system, arranged.visit_id, staff_id, start_in)
    return arranged
