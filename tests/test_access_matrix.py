"""The access matrix, tried for real: every role against every endpoint, with people inside and
outside their relationship. The expected answers are the table below (docs/security.md)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.topics import Topic
from carerelay_contract.visit import VisitAssigned
from carerelay_testing.factories import mrs_a, referral_submission

from .support.kafka import produce_raw
from .support.system import INTEGRATOR, RunningSystem
from .support.visits import a_person, a_visit_for
from .support.waiting import eventually

AMARA = UUID("14e4a0c4-dde5-54f8-9ea9-ca46aaf78101")  # Nurse Amara Okafor, team north

HUB_HANDLER, HUB_CLINICIAN = "sophie.reid", "ruth.ellis"
NURSE_NORTH, NURSE_RIVERSIDE, OT_NORTH = "amara.okafor", "tom.bryce", "leah.morgan"
CARER, COORDINATOR_NORTH, GP_C82001, AUDITOR = "joe.evans", "daniel.hughes", "hana.patel", "ian.whitlock"
USERS = [HUB_HANDLER, HUB_CLINICIAN, NURSE_NORTH, NURSE_RIVERSIDE, CARER, COORDINATOR_NORTH, GP_C82001, AUDITOR, INTEGRATOR]

# Who may read each person's referral. "north": LE1, GP C82001, taken by the hub, nurse Amara assigned.
# "east": LE5, GP C82003, taken by the hub, no one of ours assigned. "submitted": LE3, GP C82002, sent
# in by the County General EHR (the integrator). 200 = shown; 404 = outside the relationship (the
# service does not reveal the person is known); 403 = the role may not read referrals at all.
REFERRAL_READ: dict[str, dict[str, int]] = {
    HUB_HANDLER: {"north": 200, "east": 200, "submitted": 200},
    HUB_CLINICIAN: {"north": 200, "east": 200, "submitted": 200},
    NURSE_NORTH: {"north": 200, "east": 404, "submitted": 404},
    NURSE_RIVERSIDE: {"north": 404, "east": 404, "submitted": 404},
    CARER: {"north": 403, "east": 403, "submitted": 403},
    COORDINATOR_NORTH: {"north": 200, "east": 404, "submitted": 404},
    GP_C82001: {"north": 200, "east": 404, "submitted": 404},
    AUDITOR: {"north": 403, "east": 403, "submitted": 403},
    INTEGRATOR: {"north": 404, "east": 404, "submitted": 200},
}

REFERRAL_CREATE: dict[str, int] = {
    HUB_HANDLER: 201,
    HUB_CLINICIAN: 201,
    NURSE_NORTH: 403,
    NURSE_RIVERSIDE: 403,
    CARER: 403,
    COORDINATOR_NORTH: 403,
    GP_C82001: 403,
    AUDITOR: 403,
    INTEGRATOR: 201,
}

AUDIT_READ = {user: (200 if user == AUDITOR else 403) for user in USERS}


@dataclass
class People:
    referrals: dict[str, dict[str, Any]]


def _referral(body: dict[str, Any], postcode: str, practice: str, nhs_number: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed["patient"].update(postcode=postcode, gp_practice_code=practice, nhs_number=nhs_number)
    changed["presenting_needs"] = ["carer-breakdown"]  # social-care led: no nurse is assigned by the flow
    return changed


async def _headers(system: RunningSystem, user: str) -> dict[str, str]:
    if user == INTEGRATOR:
        return {"Authorization": f"Bearer {await system.integrator_token()}"}
    return await system.headers(user)


@pytest.fixture(scope="module")
async def people(system: RunningSystem, referral_body_module: dict[str, Any]) -> People:
    referrals: dict[str, dict[str, Any]] = {}
    async with await system.client("referral", HUB_HANDLER) as hub:
        for name, postcode, practice, nhs in [
            ("north", "LE1 1AA", "C82001", "9990000018"),
            ("east", "LE5 2CC", "C82003", "9990000034"),
        ]:
            response = await hub.post("/api/referral/referrals", json=_referral(referral_body_module, postcode, practice, nhs))
            assert response.status_code == 201, response.text
            referrals[name] = response.json()
    async with httpx.AsyncClient(base_url=system.url("referral"), headers=await _headers(system, INTEGRATOR)) as ehr:
        response = await ehr.post(
            "/api/referral/referrals", json=_referral(referral_body_module, "LE3 5BB", "C82002", "9990000026")
        )
        assert response.status_code == 201, response.text
        referrals["submitted"] = response.json()
    # Nurse Amara is assigned to the north patient's first visit (as scheduling would publish it).
    north_episode = UUID(referrals["north"]["episode_id"])
    assigned = VisitAssigned(episode_id=north_episode, visit_id=uuid4(), staff_id=AMARA, planned_start=datetime.now(UTC))
    await produce_raw(
        system.kafka,
        system.topic(Topic.VISIT),
        encode_data(assigned),
        assigned.partition_key().encode(),
        encode_headers(new_metadata(assigned, "/tests"), {}),
    )
    await eventually(
        lambda: system.query("referral", "SELECT 1 FROM care_team WHERE episode_id = $1 AND staff_id = $2", north_episode, AMARA),
        what="the referral service to learn of Amara's assignment",
    )
    return People(referrals)


@pytest.fixture(scope="module")
def referral_body_module() -> dict[str, Any]:
    return referral_submission(
        referrer={"role": "gp", "organisation": "Test Surgery", "callback_number": "0116 496 0000"},
        patient=mrs_a(given_name="Matrix", family_name="Testperson", date_of_birth="1940-01-01", address="1 Test Row"),
        reason="Carer unwell; person cannot manage alone",
        presenting_needs=["carer-breakdown"],
    )


@pytest.mark.parametrize("user", USERS)
async def test_reading_one_referral_follows_the_matrix(system: RunningSystem, people: People, user: str) -> None:
    async with httpx.AsyncClient(base_url=system.url("referral"), headers=await _headers(system, user)) as client:
        for person, expected in REFERRAL_READ[user].items():
            response = await client.get(f"/api/referral/referrals/{people.referrals[person]['referral_id']}")
            assert response.status_code == expected, f"{user} reading {person}: {response.status_code} {response.text}"
            if expected == 200:
                assert response.json()["referral"]["patient"]["nhs_number"]
            else:
                assert "nhs_number" not in response.text


@pytest.mark.parametrize("user", USERS)
async def test_listing_referrals_shows_only_the_related_people(system: RunningSystem, people: People, user: str) -> None:
    async with httpx.AsyncClient(base_url=system.url("referral"), headers=await _headers(system, user)) as client:
        response = await client.get("/api/referral/referrals", params={"limit": 200})
    readable = {person for person, status in REFERRAL_READ[user].items() if status == 200}
    if all(status == 403 for status in REFERRAL_READ[user].values()):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {item["referral_id"] for item in response.json()["items"]}
    for person, referral in people.referrals.items():
        assert (referral["referral_id"] in listed) == (person in readable), f"{user} listing {person}"


@pytest.mark.parametrize("user", USERS)
async def test_taking_a_referral_follows_the_matrix(
    system: RunningSystem, people: People, referral_body_module: dict[str, Any], user: str
) -> None:
    async with httpx.AsyncClient(base_url=system.url("referral"), headers=await _headers(system, user)) as client:
        response = await client.post("/api/referral/referrals", json=referral_body_module)
    assert response.status_code == REFERRAL_CREATE[user], response.text


async def test_an_integrator_without_the_write_scope_may_not_submit(
    system: RunningSystem, referral_body_module: dict[str, Any]
) -> None:
    token = await system.integrator_token(scope="referrals:read")
    async with httpx.AsyncClient(base_url=system.url("referral"), headers={"Authorization": f"Bearer {token}"}) as client:
        response = await client.post("/api/referral/referrals", json=referral_body_module)
    assert response.status_code == 403


@pytest.mark.parametrize("service", ["referral", "scheduling", "notifications"])
@pytest.mark.parametrize("user", USERS)
async def test_only_the_auditor_reads_the_audit_trail(system: RunningSystem, service: str, user: str) -> None:
    async with httpx.AsyncClient(base_url=system.url(service), headers=await _headers(system, user)) as client:
        response = await client.get(f"/api/{service}/audit")
    assert response.status_code == AUDIT_READ[user]


async def _a_visit_for_amara(system: RunningSystem) -> None:
    """Give Amara a visit, as a coordinator's pinned assignment would, unless she has one: the planner's
    choice depends on the time of day (her rota ends at 20:00) and on what earlier tests booked."""
    if await system.query("scheduling", "SELECT 1 FROM visits WHERE staff_id = $1", AMARA):
        return
    body = a_person("Edith", "Marsh", "4 Church Lane, Northgate, LE1 4AB", "Key safe by the back door", "Reduced mobility")
    await a_visit_for(system, AMARA, body)


@pytest.mark.parametrize(
    ("user", "rule"),
    [
        (HUB_HANDLER, "all"),
        (HUB_CLINICIAN, "all"),
        (NURSE_NORTH, "own"),
        (NURSE_RIVERSIDE, "own"),
        (CARER, "own"),
        (COORDINATOR_NORTH, "team"),
        (GP_C82001, "forbidden"),
        (AUDITOR, "forbidden"),
        (INTEGRATOR, "forbidden"),
    ],
)
async def test_visits_follow_the_matrix(system: RunningSystem, user: str, rule: str) -> None:
    await _a_visit_for_amara(system)
    async with httpx.AsyncClient(base_url=system.url("scheduling"), headers=await _headers(system, user)) as client:
        response = await client.get("/api/scheduling/visits", params={"limit": 500})
    if rule == "forbidden":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = response.json()["items"]
    every = await system.query(
        "scheduling",
        """
        SELECT v.visit_id, v.staff_id, s.team, e.team AS episode_team
        FROM visits v LEFT JOIN staff s USING (staff_id) LEFT JOIN episodes e USING (episode_id)
        """,
    )
    claims = await _claims(system, user)
    # A team's visits: those its staff make, and those of the people it covers (even unallocated).
    expected = {
        str(row["visit_id"])
        for row in every
        if rule == "all"
        or (rule == "own" and str(row["staff_id"]) == claims.get("staff_id"))
        or (rule == "team" and claims["team"] in (row["team"], row["episode_team"]))
    }
    assert {item["visit_id"] for item in shown} == expected
    if user == NURSE_NORTH:
        assert expected, "Amara has a visit, so the check above saw something"


async def _claims(system: RunningSystem, user: str) -> dict[str, Any]:
    import jwt

    token = (await _headers(system, user))["Authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


async def test_a_clinician_may_break_glass_with_a_reason_and_it_is_audited(system: RunningSystem, people: People) -> None:
    referral_id = people.referrals["east"]["referral_id"]
    async with await system.client("referral", NURSE_RIVERSIDE) as client:
        refused = await client.get(f"/api/referral/referrals/{referral_id}")
        too_short = await client.get(f"/api/referral/referrals/{referral_id}", headers={"X-Break-Glass-Reason": "need"})
        allowed = await client.get(
            f"/api/referral/referrals/{referral_id}",
            headers={"X-Break-Glass-Reason": "Covering an unplanned urgent visit tonight"},
        )
    assert refused.status_code == 404
    assert too_short.status_code == 422
    assert allowed.status_code == 200
    rows = await system.query(
        "referral", "SELECT purpose, outcome FROM audit_log WHERE $1 = ANY(resource_ids) ORDER BY seq", referral_id
    )
    outcomes = [(row["purpose"], row["outcome"]) for row in rows]
    assert ("no legitimate relationship to this person's care", "denied") in outcomes
    assert ("break-glass: Covering an unplanned urgent visit tonight", "allowed") in outcomes


async def test_carers_may_not_break_glass(system: RunningSystem, people: People) -> None:
    async with await system.client("referral", CARER) as client:
        response = await client.get(
            f"/api/referral/referrals/{people.referrals['north']['referral_id']}",
            headers={"X-Break-Glass-Reason": "I would like to see the whole record"},
        )
    assert response.status_code == 403


async def test_every_read_and_write_is_audited_with_who_what_and_why(system: RunningSystem, people: People) -> None:
    referral_id = people.referrals["north"]["referral_id"]
    async with await system.client("referral", NURSE_NORTH) as client:
        assert (await client.get(f"/api/referral/referrals/{referral_id}")).status_code == 200
    claims = await _claims(system, NURSE_NORTH)
    rows = await system.query("referral", "SELECT * FROM audit_log WHERE $1 = ANY(resource_ids) ORDER BY seq", referral_id)
    written = [row for row in rows if row["action"] == "referral.create"]
    assert written
    assert written[0]["purpose"] == "hub intake"
    read = [row for row in rows if row["actor"] == claims["sub"] and row["action"] == "referral.read"]
    assert read[-1]["purpose"] == "assigned visit"
    assert read[-1]["roles"] == "field-clinician"
    assert read[-1]["organisation"] == "community-health-trust"
    # The trail holds ids, not the person: no NHS number, name or address anywhere in it.
    everything = " ".join(
        str(value) for row in await system.query("referral", "SELECT * FROM audit_log") for value in row.values()
    )
    for identifier in ("9990000018", "Testperson", "Test Row", "LE1 1AA"):
        assert identifier not in everything
