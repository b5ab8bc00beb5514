"""A care plan change on the real services (issue 15): a nurse proposes it from a visit, the team's
coordinator sees it waiting and agrees it (`care-plan.updated`: the new plan's visits are made, the
nurse is told), once; another is declined with a reason (the nurse is told why); bad input and the
wrong people are refused and change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx

from carerelay_contract.topics import Topic

from .support.kafka import wait_for_messages
from .support.system import RunningSystem
from .support.visits import AMARA, a_person, a_visit_for
from .support.waiting import eventually

NURSE, COORDINATOR, CARER = "amara.okafor", "daniel.hughes", "joe.evans"
LONDON = ZoneInfo("Europe/London")


def _teatime() -> dict[str, Any]:
    tomorrow = datetime.now(LONDON).date() + timedelta(days=1)
    return {
        "discipline": "carer",
        "preferred_windows": [{"start": "16:00", "end": "17:00"}],
        "duration_minutes": 30,
        "starts_on": tomorrow.isoformat(),
        "ends_on": (tomorrow + timedelta(days=20)).isoformat(),
    }


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/api/scheduling{path}", json=body, headers={"Idempotency-Key": str(uuid4())})


async def _propose(system: RunningSystem, episode_id: UUID, body: dict[str, Any]) -> str:
    async with await system.client("scheduling", NURSE) as nurse:
        response = await _post(nurse, f"/episodes/{episode_id}/care-plan-proposal", body)
    assert response.status_code == 200, response.text
    proposal_id: str = response.json()["proposal_id"]
    return proposal_id


async def test_the_coordinator_agrees_a_proposed_change_once_and_its_visits_are_made(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Kath", "Lane", "5 Well Street, Northgate", "", "Needs help at teatime"))
    proposal_id = await _propose(system, visit.episode_id, {"reason": "Add a teatime visit", "visits": [_teatime()]})

    async with await system.client("scheduling", COORDINATOR) as coordinator:
        waiting = (await coordinator.get("/api/scheduling/care-plan-proposals")).json()["items"]
        assert proposal_id in [item["proposal_id"] for item in waiting]
        agreed = await _post(coordinator, f"/care-plan-proposals/{proposal_id}/agree", {})
        again = await _post(coordinator, f"/care-plan-proposals/{proposal_id}/agree", {})
        after = (await coordinator.get("/api/scheduling/care-plan-proposals")).json()["items"]
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["event"] == "care-plan.updated"
    assert again.status_code == 409
    assert proposal_id not in [item["proposal_id"] for item in after]

    (updated,) = await wait_for_messages(
        system.kafka,
        system.topic(Topic.EPISODE),
        lambda m: m.key == str(visit.episode_id).encode() and m.ce_type.endswith("care-plan.updated.v1"),
    )
    assert (updated.data["proposal_id"], updated.data["proposed_by_staff_id"]) == (proposal_id, str(AMARA))
    care_plan_id = UUID(updated.data["care_plan_id"])
    made = await eventually(
        lambda: system.query("scheduling", "SELECT preferred_start FROM visits WHERE care_plan_id = $1", care_plan_id),
        what="the new plan's visits",
    )
    assert {row["preferred_start"].astimezone(LONDON).strftime("%H:%M") for row in made} == {"16:00"}
    (told,) = await eventually(lambda: system.told(visit.episode_id, "care-plan-change-agreed", "in-app"), what="the nurse told")
    assert told["recipient_ref"] == str(AMARA)
    await eventually(lambda: system.told(visit.episode_id, "care-plan-change-proposed"), what="the coordinators told")
    assert len(await system.events_of(Topic.EPISODE, visit.episode_id, "care-plan.updated")) == 1, "agreed once"


async def test_a_declined_change_needs_a_reason_tells_the_proposer_and_the_wrong_people_are_refused(
    system: RunningSystem,
) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Len", "Marsh", "8 Well Street, Northgate", "", "Wants fewer visits"))
    proposal_id = await _propose(system, visit.episode_id, {"reason": "Stop the evening visit"})
    path = f"/care-plan-proposals/{proposal_id}"
    async with await system.client("scheduling", COORDINATOR) as coordinator:
        no_reason = await _post(coordinator, f"{path}/decline", {"reason": ""})
        no_visits = await _post(coordinator, f"{path}/agree", {})
        unknown = await _post(coordinator, f"/care-plan-proposals/{uuid4()}/decline", {"reason": "No"})
    async with await system.client("scheduling", CARER) as carer:
        not_a_planner = await _post(carer, f"{path}/decline", {"reason": "No"})
    assert no_reason.status_code == 422
    assert [error["field"] for error in no_reason.json()["errors"]] == ["reason"]
    assert no_visits.status_code == 422
    assert [error["field"] for error in no_visits.json()["errors"]] == ["visits"]
    assert (unknown.status_code, not_a_planner.status_code) == (404, 403)
    assert await system.events_of(Topic.EPISODE, visit.episode_id, "care-plan.updated") == []
    assert await system.events_of(Topic.EPISODE, visit.episode_id, "care-plan.change-declined") == []

    async with await system.client("scheduling", COORDINATOR) as coordinator:
        declined = await _post(coordinator, f"{path}/decline", {"reason": "Her daughter asked us to keep it for now"})
    assert declined.status_code == 200, declined.text
    (event,) = await wait_for_messages(
        system.kafka,
        system.topic(Topic.EPISODE),
        lambda m: m.key == str(visit.episode_id).encode() and m.ce_type.endswith("care-plan.change-declined.v1"),
    )
    assert (event.data["reason"], event.data["proposed_by_staff_id"]) == (
        "Her daughter asked us to keep it for now",
        str(AMARA),
    )
    (told,) = await eventually(
        lambda: system.told(visit.episode_id, "care-plan-change-declined", "in-app"), what="the nurse told why"
    )
    assert told["recipient_ref"] == str(AMARA)
    rows = await system.query(
        "scheduling", "SELECT decision, decision_reason FROM care_plan_proposals WHERE proposal_id = $1::uuid", proposal_id
    )
    assert (rows[0]["decision"], rows[0]["decision_reason"]) == ("declined", "Her daughter asked us to keep it for now")
