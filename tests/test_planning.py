"""The planner in the running system: care plans become visits in the person's windows with mostly the
same carers (Mrs A); a staff member calling in sick re-plans their visits to others and publishes only
the changes; a coordinator's pin holds; bad input gets a clear error and changes nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import orjson

from carerelay_contract.topics import Topic

from .support.kafka import read_all, wait_for_messages
from .support.system import HUB_CLINICIAN, HUB_HANDLER, RunningSystem
from .support.visits import a_person
from .support.waiting import eventually

LONDON = ZoneInfo("Europe/London")
COORDINATOR = "daniel.hughes"  # team north
CARER = "joe.evans"
NURSE_STAFF = "Nurse Amara Okafor"


async def _known_person(system: RunningSystem, latitude: float = 52.6401, longitude: float = -1.1302) -> UUID:
    """A person referred to the hub (north team's area, a home near the north base) whom scheduling knows."""
    body = a_person("Alice", "Archer", "4 Mill Lane, Northgate", "Key safe by the back door", "Unsteady at home")
    body["patient"] |= {"latitude": latitude, "longitude": longitude}
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=body)
    assert response.status_code == 201, response.text
    episode_id = UUID(response.json()["episode_id"])
    await eventually(
        lambda: system.query("scheduling", "SELECT 1 FROM episodes WHERE episode_id = $1", episode_id),
        what="scheduling to know the person",
    )
    return episode_id


async def _staff_id(system: RunningSystem, name: str) -> UUID:
    rows = await system.query("scheduling", "SELECT staff_id FROM staff WHERE display_name = $1", name)
    staff_id: UUID = rows[0]["staff_id"]
    return staff_id


def _line(starts_on: date, days: int, **overrides: Any) -> dict[str, Any]:
    return {
        "discipline": "carer",
        "preferred_windows": [{"start": "07:30", "end": "09:30"}, {"start": "18:00", "end": "20:00"}],
        "duration_minutes": 30,
        "required_skills": ["medication-prompt"],
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + timedelta(days=days - 1)).isoformat(),
    } | overrides


async def test_mrs_a_gets_two_visits_a_day_in_her_windows_mostly_from_the_same_carers(system: RunningSystem) -> None:
    episode_id = await _known_person(system)
    first_day = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=3)
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        agreed = await client.post(
            "/api/scheduling/care-plans",
            json={
                "episode_id": str(episode_id),
                "agreed_by_staff_id": str(await _staff_id(system, NURSE_STAFF)),
                "visits": [_line(first_day, 5)],
                "declined": ["A midday visit"],
            },
        )
        assert agreed.status_code == 202, agreed.text
        care_plan_id = UUID(agreed.json()["care_plan_id"])
        await eventually(
            lambda: system.query("scheduling", "SELECT 1 FROM care_plans WHERE care_plan_id = $1", care_plan_id),
            what="the care plan to reach scheduling",
        )
        for day in range(5):
            planned = await client.post("/api/scheduling/plans", json={"day": (first_day + timedelta(days=day)).isoformat()})
            assert planned.status_code == 200, planned.text

    visits = await system.query(
        "scheduling",
        """
        SELECT v.*, s.discipline AS staff_discipline, s.skills FROM visits v LEFT JOIN staff s ON s.staff_id = v.staff_id
        WHERE v.care_plan_id = $1 ORDER BY v.earliest_start
        """,
        care_plan_id,
    )
    assert len(visits) == 10, "two visits a day for five days; the declined midday visit is never planned"
    assert all(visit["status"] == "assigned" for visit in visits), [visit["status"] for visit in visits]
    for visit in visits:
        assert visit["staff_discipline"] == "carer"
        assert "medication-prompt" in visit["skills"]
        assert visit["earliest_start"] <= visit["planned_start"] <= visit["latest_start"]
    in_window = [v for v in visits if v["preferred_start"] <= v["planned_start"] <= v["preferred_end"]]
    assert len(in_window) >= 8, "the windows agreed with her are kept"
    carers = Counter(visit["staff_id"] for visit in visits)
    assert len(carers) <= 3, "mostly the same carers"
    assert carers.most_common(1)[0][1] >= 4


async def test_a_carer_calling_in_sick_has_her_visits_replanned_and_only_the_changes_published(system: RunningSystem) -> None:
    episode_id = await _known_person(system)
    tomorrow = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=1)
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        agreed = await client.post(
            "/api/scheduling/care-plans",
            json={
                "episode_id": str(episode_id),
                "agreed_by_staff_id": str(await _staff_id(system, NURSE_STAFF)),
                "visits": [_line(tomorrow, 1, preferred_windows=[{"start": "10:00", "end": "12:00"}], required_skills=[])],
            },
        )
        care_plan_id = UUID(agreed.json()["care_plan_id"])
        await eventually(
            lambda: system.query("scheduling", "SELECT 1 FROM visits WHERE care_plan_id = $1", care_plan_id),
            what="the care plan's visit",
        )
        assert (await client.post("/api/scheduling/plans", json={"day": tomorrow.isoformat()})).status_code == 200
        (before,) = await system.query("scheduling", "SELECT * FROM visits WHERE care_plan_id = $1", care_plan_id)
        assert before["status"] == "assigned"
        sick = before["staff_id"]
        snapshot = await _assignments(system)
        published_before = {(m.partition, m.offset) for m in await read_all(system.kafka, system.topic(Topic.VISIT))}
        absence = await client.post(
            "/api/scheduling/absences",
            json={
                "staff_id": str(sick),
                "starts_at": datetime.combine(tomorrow, datetime.min.time(), LONDON).isoformat(),
                "ends_at": datetime.combine(tomorrow + timedelta(days=1), datetime.min.time(), LONDON).isoformat(),
                "reason": "called in sick",
            },
        )
        assert absence.status_code == 201, absence.text
        assert (await client.post("/api/scheduling/plans", json={"day": tomorrow.isoformat()})).status_code == 200

    (after,) = await system.query("scheduling", "SELECT * FROM visits WHERE care_plan_id = $1", care_plan_id)
    assert after["status"] == "assigned"
    assert after["staff_id"] != sick, "someone else makes the visit"
    await wait_for_messages(
        system.kafka,
        system.topic(Topic.VISIT),
        lambda m: (
            m.ce_type.endswith("visit.assigned.v1")
            and _field(m.value, "visit_id") == str(after["visit_id"])
            and _field(m.value, "staff_id") == str(after["staff_id"])
        ),
    )
    # Only changes are published: every assignment or new time published since is for a visit whose
    # person or time really changed.
    now_assigned = await _assignments(system)
    since = [
        m for m in await read_all(system.kafka, system.topic(Topic.VISIT)) if (m.partition, m.offset) not in published_before
    ]
    for message in since:
        if message.ce_type.endswith(("visit.assigned.v1", "visit.rescheduled.v1")):
            visit_id = UUID(_field(message.value, "visit_id"))
            if visit_id in snapshot:
                assert snapshot[visit_id] != now_assigned.get(visit_id), f"an unchanged visit was republished: {message.ce_type}"


async def _assignments(system: RunningSystem) -> dict[UUID, tuple[UUID | None, UUID | None, datetime | None]]:
    rows = await system.query(
        "scheduling", "SELECT visit_id, staff_id, second_staff_id, planned_start FROM visits WHERE status = 'assigned'"
    )
    return {row["visit_id"]: (row["staff_id"], row["second_staff_id"], row["planned_start"]) for row in rows}


def _field(value: bytes | None, name: str) -> str:
    return str(orjson.loads(value or b"{}").get(name))


async def test_a_pinned_visit_stays_with_the_person_the_coordinator_chose(system: RunningSystem) -> None:
    episode_id = await _known_person(system)
    tomorrow = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=1)
    carers = [
        row["staff_id"]
        for row in await system.query(
            "scheduling", "SELECT staff_id FROM staff WHERE team = 'north' AND discipline = 'carer' AND working_pattern = 'early'"
        )
    ]
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        agreed = await client.post(
            "/api/scheduling/care-plans",
            json={
                "episode_id": str(episode_id),
                "agreed_by_staff_id": str(await _staff_id(system, NURSE_STAFF)),
                "visits": [_line(tomorrow, 1, preferred_windows=[{"start": "09:00", "end": "11:00"}], required_skills=[])],
            },
        )
        care_plan_id = UUID(agreed.json()["care_plan_id"])
        await eventually(
            lambda: system.query("scheduling", "SELECT 1 FROM visits WHERE care_plan_id = $1", care_plan_id), what="the visit"
        )
        assert (await client.post("/api/scheduling/plans", json={"day": tomorrow.isoformat()})).status_code == 200
        (visit,) = await system.query("scheduling", "SELECT * FROM visits WHERE care_plan_id = $1", care_plan_id)
        other = next(carer for carer in carers if carer != visit["staff_id"])
        pinned = await client.post(f"/api/scheduling/visits/{visit['visit_id']}/pin", json={"staff_ids": [str(other)]})
        assert pinned.status_code == 200, pinned.text
        assert pinned.json()["visit"]["pinned"] is True
        assert (await client.post("/api/scheduling/plans", json={"day": tomorrow.isoformat()})).status_code == 200

    (after,) = await system.query("scheduling", "SELECT * FROM visits WHERE care_plan_id = $1", care_plan_id)
    assert after["pinned"]
    assert after["staff_id"] == other
    assert after["status"] == "assigned"
    await wait_for_messages(
        system.kafka,
        system.topic(Topic.VISIT),
        lambda m: (
            m.ce_type.endswith("visit.assigned.v1")
            and _field(m.value, "visit_id") == str(visit["visit_id"])
            and _field(m.value, "pinned") == "True"
        ),
    )


async def test_the_coordinator_sees_the_day_plan_of_their_team(system: RunningSystem) -> None:
    async with await system.client("scheduling", COORDINATOR) as client:
        response = await client.get("/api/scheduling/plan")
    assert response.status_code == 200
    plan = response.json()
    assert {member["team"] for member in plan["staff"]} <= {"north"}
    assert all("shift" in member and "visits" in member for member in plan["staff"])


async def test_bad_planning_input_gets_a_clear_error_and_changes_nothing(system: RunningSystem) -> None:
    episode_id = await _known_person(system)
    today = datetime.now(UTC).astimezone(LONDON).date()
    nurse = str(await _staff_id(system, NURSE_STAFF))
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        (
            "POST",
            "/api/scheduling/care-plans",
            {"episode_id": str(uuid4()), "agreed_by_staff_id": nurse, "visits": [_line(today, 2)]},
            "episode_id",
        ),
        (
            "POST",
            "/api/scheduling/care-plans",
            {
                "episode_id": str(episode_id),
                "agreed_by_staff_id": nurse,
                "visits": [_line(today, 2, preferred_windows=[{"start": "09:00", "end": "08:00"}])],
            },
            "visits.0.preferred_windows.0",
        ),
        (
            "POST",
            "/api/scheduling/care-plans",
            {"episode_id": str(episode_id), "agreed_by_staff_id": str(uuid4()), "visits": [_line(today, 2)]},
            "agreed_by_staff_id",
        ),
        (
            "POST",
            "/api/scheduling/absences",
            {"staff_id": nurse, "starts_at": "2026-11-23T10:00:00Z", "ends_at": "2026-11-23T09:00:00Z", "reason": "sick"},
            "ends_at",
        ),
        (
            "POST",
            "/api/scheduling/absences",
            {"staff_id": str(uuid4()), "starts_at": "2026-11-23T10:00:00Z", "ends_at": "2026-11-23T12:00:00Z", "reason": "sick"},
            "staff_id",
        ),
        ("POST", "/api/scheduling/plans", {"day": "1999-01-01"}, "day"),
        ("POST", f"/api/scheduling/visits/{uuid4()}/pin", {"staff_ids": []}, "staff_ids"),
    ]
    plans_before = await system.query("scheduling", "SELECT count(*) AS n FROM care_plans")
    absences_before = await system.query("scheduling", "SELECT count(*) AS n FROM absences")
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        for method, path, body, field in cases:
            response = await client.request(method, path, json=body)
            assert response.status_code == 422, (path, response.text)
            fields = [error["field"] for error in response.json()["errors"]]
            assert any(f.startswith(field) for f in fields), (path, fields)
        unknown = await client.post(f"/api/scheduling/visits/{uuid4()}/pin", json={"staff_ids": [nurse]})
        assert unknown.status_code == 404
    async with await system.client("scheduling", CARER) as client:
        assert (await client.post("/api/scheduling/plans", json={"day": today.isoformat()})).status_code == 403
    await asyncio.sleep(1.0)
    assert await system.query("scheduling", "SELECT count(*) AS n FROM care_plans") == plans_before
    assert await system.query("scheduling", "SELECT count(*) AS n FROM absences") == absences_before


async def test_a_home_off_the_map_is_reported_unassignable_not_crashed_on(system: RunningSystem) -> None:
    episode_id = await _known_person(system, latitude=10.0, longitude=-1.13)
    tomorrow = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=1)
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        agreed = await client.post(
            "/api/scheduling/care-plans",
            json={
                "episode_id": str(episode_id),
                "agreed_by_staff_id": str(await _staff_id(system, NURSE_STAFF)),
                "visits": [_line(tomorrow, 1, required_skills=[])],
            },
        )
        care_plan_id = UUID(agreed.json()["care_plan_id"])
        await eventually(
            lambda: system.query("scheduling", "SELECT 1 FROM visits WHERE care_plan_id = $1", care_plan_id), what="the visits"
        )
        assert (await client.post("/api/scheduling/plans", json={"day": tomorrow.isoformat()})).status_code == 200
    rows = await system.query(
        "scheduling",
        "SELECT v.status, u.reason FROM visits v JOIN unassigned_visits u USING (visit_id) WHERE v.care_plan_id = $1",
        care_plan_id,
    )
    assert len(rows) == 2
    assert all(row["status"] == "planned" and "off the county's map" in row["reason"] for row in rows)
    await wait_for_messages(
        system.kafka,
        system.topic(Topic.VISIT),
        lambda m: m.ce_type.endswith("visit.unassignable.v1") and m.key == str(episode_id).encode(),
        count=2,
    )
