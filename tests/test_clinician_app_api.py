"""The clinician app's API (scheduling): my day, each visit action and episode action with its event,
bad input refused with the field named, one event per Idempotency-Key, 404 for someone else's visit
and 409 for a visit given to someone else after it was on my phone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from carerelay_contract.topics import Topic
from carerelay_testing.factories import unwell_observations

from .support.kafka import Message, read_all, wait_for_messages
from .support.system import RunningSystem
from .support.visits import AMARA, JOE, Arranged, a_person, a_visit_for, give

NURSE, OTHER_NURSE, CARER = "amara.okafor", "tom.bryce", "joe.evans"
CE = "uk.nhs.carerelay."

UNWELL = unwell_observations()


async def _app(system: RunningSystem, user: str) -> httpx.AsyncClient:
    return await system.client("scheduling", user)


async def _act(client: httpx.AsyncClient, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return await client.post(f"/api/scheduling{path}", json=body, headers={"Idempotency-Key": key or str(uuid4())})


def _of(episode_id: UUID, ce_type: str) -> Any:
    return lambda m: m.key == str(episode_id).encode() and m.ce_type == f"{CE}{ce_type}.v1"


async def _events(system: RunningSystem, topic: Topic, episode_id: UUID) -> list[Message]:
    return [m for m in await read_all(system.kafka, system.topic(topic)) if m.key == str(episode_id).encode()]


@pytest.fixture(scope="module")
async def nurse_visit(system: RunningSystem) -> Arranged:
    """Mrs Archer's first visit, given to Nurse Amara."""
    return await a_visit_for(
        system,
        AMARA,
        a_person(
            "Alice", "Archer", "4 Mill Lane, Northgate", "Key safe by the back door, code 1234", "Unsteady; medication muddle"
        ),
    )


async def test_my_day_shows_the_nurses_visit_with_the_person_and_access_notes(
    system: RunningSystem, nurse_visit: Arranged
) -> None:
    async with await _app(system, NURSE) as client:
        response = await client.get("/api/scheduling/my/day")
    assert response.status_code == 200, response.text
    day = response.json()
    assert day["staff_id"] == str(AMARA)
    visit = next(v for v in day["visits"] if v["visit_id"] == str(nurse_visit.visit_id))
    assert visit["status"] == "assigned"
    assert visit["person"]["family_name"] == "Archer"
    assert visit["person"]["access_notes"] == "Key safe by the back door, code 1234"
    assert visit["person"]["reason"] == "Unsteady; medication muddle"
    assert visit["last_visit"] is None
    starts = [v["planned_start"] for v in day["visits"]]
    assert starts == sorted(starts)
    audited = await system.query(
        "scheduling", "SELECT 1 FROM audit_log WHERE action = 'visit.read' AND $1 = ANY(resource_ids)", str(nurse_visit.visit_id)
    )
    assert audited


async def test_a_carer_sees_none_of_the_nurses_visits_and_may_not_act_on_them(
    system: RunningSystem, nurse_visit: Arranged
) -> None:
    async with await _app(system, CARER) as client:
        day = (await client.get("/api/scheduling/my/day")).json()
        assert str(nurse_visit.visit_id) not in {v["visit_id"] for v in day["visits"]}
        response = await _act(client, f"/visits/{nurse_visit.visit_id}/en-route", {})
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}


async def test_another_nurse_gets_404_for_someone_elses_visit_and_episode(system: RunningSystem, nurse_visit: Arranged) -> None:
    async with await _app(system, OTHER_NURSE) as client:
        visit = await _act(client, f"/visits/{nurse_visit.visit_id}/arrived", {})
        episode = await _act(client, f"/episodes/{nurse_visit.episode_id}/consent", {"scope": "professional-sharing"})
        unknown = await _act(client, f"/visits/{uuid4()}/arrived", {})
    assert (visit.status_code, episode.status_code, unknown.status_code) == (404, 404, 404)
    denied = await system.query(
        "scheduling",
        "SELECT 1 FROM audit_log WHERE action = 'visit.record' AND outcome = 'denied' AND $1 = ANY(resource_ids)",
        str(nurse_visit.visit_id),
    )
    assert denied


async def test_a_carer_may_not_take_episode_actions(system: RunningSystem) -> None:
    async with await _app(system, CARER) as client:
        response = await _act(client, f"/episodes/{uuid4()}/discharge-recommendation", {"outcome": "no-further-services"})
    assert response.status_code == 403


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("/visits/{visit}/en-route", {"expected_arrival": "soon"}, "expected_arrival"),
    ("/visits/{visit}/en-route", {"at": "2999-01-01T00:00:00Z"}, "at"),
    ("/visits/{visit}/arrived", {"surprise": True}, "surprise"),
    ("/visits/{visit}/observations", {"observations": {**UNWELL, "pulse": 400}}, "observations.pulse"),
    ("/visits/{visit}/observations", {"observations": {**UNWELL, "consciousness": "Z"}}, "observations.consciousness"),
    ("/visits/{visit}/observations", {}, "observations"),
    ("/visits/{visit}/assessments", {"kind": "clinical-frailty-scale"}, "clinical_frailty_scale"),
    ("/visits/{visit}/assessments", {"kind": "falls-risk", "summary": "x"}, "falls_risk"),
    ("/visits/{visit}/assessments", {"kind": "review"}, "summary"),
    ("/visits/{visit}/assessments", {"kind": "clinical-frailty-scale", "clinical_frailty_scale": 12}, "clinical_frailty_scale"),
    ("/visits/{visit}/assessments", {"kind": "news2", "summary": "x"}, "kind"),
    ("/visits/{visit}/notes", {"text": ""}, "text"),
    ("/visits/{visit}/notes", {"text": "x" * 4001}, "text"),
    ("/visits/{visit}/notes", {"text": "before\x00after"}, "body"),
    ("/visits/{visit}/running-late", {}, "expected_arrival"),
    ("/visits/{visit}/missed", {"reason": "bored"}, "reason"),
    ("/visits/{visit}/complete", {"tasks_done": ["x" * 201]}, "tasks_done.0"),
    ("/episodes/{episode}/consent", {"scope": "everything"}, "scope"),
    ("/episodes/{episode}/consent-withdrawal", {}, "scope"),
    ("/episodes/{episode}/care-plan-proposal", {"reason": ""}, "reason"),
    ("/episodes/{episode}/lead-transfer", {"to_discipline": "wizard"}, "to_discipline"),
    ("/episodes/{episode}/onward-referral", {"service": ""}, "service"),
    ("/episodes/{episode}/onward-referral", {"service": "Social care", "wanted_from": "tomorrow"}, "wanted_from"),
    ("/episodes/{episode}/discharge-recommendation", {"outcome": "cured"}, "outcome"),
]


@pytest.mark.parametrize(("path", "body", "field"), BAD_INPUT)
async def test_bad_input_is_refused_with_the_field_named(
    system: RunningSystem, nurse_visit: Arranged, path: str, body: dict[str, Any], field: str
) -> None:
    url = path.format(visit=nurse_visit.visit_id, episode=nurse_visit.episode_id)
    async with await _app(system, NURSE) as client:
        response = await _act(client, url, body)
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    if "x" * 50 in str(body):
        assert "x" * 50 not in response.text  # the input is not echoed back


@pytest.mark.parametrize("key", [None, "not-a-uuid"])
async def test_every_action_needs_a_uuid_idempotency_key(system: RunningSystem, nurse_visit: Arranged, key: str | None) -> None:
    headers = {} if key is None else {"Idempotency-Key": key}
    async with await _app(system, NURSE) as client:
        response = await client.post(f"/api/scheduling/visits/{nurse_visit.visit_id}/en-route", json={}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_a_nurse_works_a_visit_and_each_step_is_one_event(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Reg", "Hall", "9 Quarry Road, Northgate", "", "Home from the ward"))
    path = f"/visits/{visit.visit_id}"
    async with await _app(system, NURSE) as client:
        early = await _act(client, f"{path}/complete", {"tasks_done": []})
        assert early.status_code == 409
        assert early.json()["conflict"] == "state"
        assert "Arrived" in early.json()["detail"]

        late = await _act(
            client, f"{path}/running-late", {"expected_arrival": (datetime.now(UTC) + timedelta(minutes=40)).isoformat()}
        )
        assert late.status_code == 200, late.text
        assert late.json()["minutes_late"] >= 30
        assert (await _act(client, f"{path}/en-route", {})).json()["visit"]["status"] == "en-route"
        assert (await _act(client, f"{path}/arrived", {})).json()["visit"]["status"] == "in-progress"

        observed = await _act(client, f"{path}/observations", {"observations": UNWELL})
        assert observed.status_code == 200, observed.text
        news2 = observed.json()["news2"]
        assert (news2["score"], news2["band"], news2["serious_concern"]) == (6, "medium", True)

        cfs = await _act(client, f"{path}/assessments", {"kind": "clinical-frailty-scale", "clinical_frailty_scale": 6})
        assert cfs.status_code == 200, cfs.text
        falls = await _act(client, f"{path}/assessments", {"kind": "falls-risk", "falls_risk": "high", "summary": "Two falls"})
        assert falls.status_code == 200, falls.text
        assert (await _act(client, f"{path}/notes", {"text": "Daughter present."})).status_code == 200
        done = await _act(
            client, f"{path}/complete", {"tasks_done": ["medication-prompt"], "notes": "Settled.", "concerns": "Chest"}
        )
        assert done.status_code == 200, done.text
        assert done.json()["visit"]["status"] == "completed"
        again = await _act(client, f"{path}/arrived", {})
        assert again.status_code == 409

    completed = await wait_for_messages(system.kafka, system.topic(Topic.VISIT), _of(visit.episode_id, "visit.completed"))
    body = completed[0].value or b""
    assert b"Daughter present." in body
    assert b"Settled." in body
    visit_types = [m.ce_type.removeprefix(CE) for m in await _events(system, Topic.VISIT, visit.episode_id)]
    for ce_type in ("visit.running-late.v1", "visit.en-route.v1", "visit.started.v1", "visit.completed.v1"):
        assert visit_types.count(ce_type) == 1, visit_types
    assessments = await wait_for_messages(
        system.kafka, system.topic(Topic.EPISODE), _of(visit.episode_id, "assessment.recorded"), count=3
    )
    assert b'"news2_score":6' in b"".join(m.value or b"" for m in assessments)
    assert completed[0].headers.get("carerelay_correlationid")  # the case's correlation id, carried on
    assert completed[0].headers.get("traceparent")


async def test_a_repeat_with_the_same_key_returns_the_first_result_and_emits_nothing_new(system: RunningSystem) -> None:
    visit = await a_visit_for(system, JOE, a_person("Ethel", "Barnes", "22 Canal Street", "Ring twice", "Fall at home"))
    key = str(uuid4())
    async with await _app(system, CARER) as client:
        await _act(client, f"/visits/{visit.visit_id}/arrived", {})
        first, second = await asyncio.gather(
            _act(client, f"/visits/{visit.visit_id}/complete", {"tasks_done": ["personal-care"]}, key),
            _act(client, f"/visits/{visit.visit_id}/complete", {"tasks_done": ["personal-care"]}, key),
        )
        third = await _act(client, f"/visits/{visit.visit_id}/complete", {"tasks_done": ["personal-care"]}, key)
        reused = await _act(client, f"/visits/{visit.visit_id}/notes", {"text": "Another action"}, key)
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.json() == second.json() == third.json()
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["field"] == "Idempotency-Key"
    await wait_for_messages(system.kafka, system.topic(Topic.VISIT), _of(visit.episode_id, "visit.completed"))
    await asyncio.sleep(1.5)  # a second completion, if one were coming, would be published by now
    completions = [m for m in await _events(system, Topic.VISIT, visit.episode_id) if m.ce_type == f"{CE}visit.completed.v1"]
    assert len(completions) == 1
    logged = await system.query("scheduling", "SELECT count(*) AS n FROM field_actions WHERE idempotency_key = $1::uuid", key)
    assert logged[0]["n"] == 1


async def test_a_visit_given_to_someone_else_after_it_was_on_my_phone_is_a_conflict(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Mary", "Cole", "1 Station Road", "", "Carer breakdown"))
    async with await _app(system, NURSE) as client:
        day = (await client.get("/api/scheduling/my/day")).json()
        assert str(visit.visit_id) in {v["visit_id"] for v in day["visits"]}
        await give(system, visit.visit_id, JOE)
        response = await _act(client, f"/visits/{visit.visit_id}/en-route", {})
        day = (await client.get("/api/scheduling/my/day")).json()
    assert response.status_code == 409
    assert response.json()["conflict"] == "reassigned"
    assert str(visit.visit_id) not in {v["visit_id"] for v in day["visits"]}
    async with await _app(system, CARER) as client:
        assert (await _act(client, f"/visits/{visit.visit_id}/en-route", {})).status_code == 200


async def test_episode_actions_each_emit_their_event(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Sally", "Dean", "7 Orchard Close", "", "Escalation plan"))
    episode = f"/episodes/{visit.episode_id}"
    async with await _app(system, NURSE) as client:
        day = (await client.get("/api/scheduling/my/day")).json()
        lead = next(v["lead_discipline"] for v in day["visits"] if v["visit_id"] == str(visit.visit_id))
        new_lead = "social-care" if lead != "social-care" else "nurse"
        actions: list[tuple[str, dict[str, Any], str]] = [
            ("consent", {"scope": "family-involvement", "family_contact_id": str(uuid4())}, "consent.recorded"),
            ("consent-withdrawal", {"scope": "family-involvement"}, "consent.withdrawn"),
            (
                "care-plan-proposal",
                {"reason": "Proposed: add a teatime visit", "declined": ["midday visit"]},
                "care-plan.change-proposed",
            ),
            ("onward-referral", {"service": "Social care assessment", "wanted_from": "2030-01-06"}, "onward-referral.made"),
            (
                "discharge-recommendation",
                {"outcome": "ongoing-care-package", "summary": "Package from Monday"},
                "discharge.recommended",
            ),
            ("lead-transfer", {"to_discipline": new_lead, "reason": "Now mainly a care need"}, "lead-discipline.transferred"),
        ]
        for action, body, _ in actions:
            response = await _act(client, f"{episode}/{action}", body)
            assert response.status_code == 200, (action, response.text)
        same_lead = await _act(client, f"{episode}/lead-transfer", {"to_discipline": new_lead})
    assert same_lead.status_code == 409
    for _, _, ce_type in actions:
        await wait_for_messages(system.kafka, system.topic(Topic.EPISODE), _of(visit.episode_id, ce_type))
