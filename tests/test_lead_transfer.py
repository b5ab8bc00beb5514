"""The lead of an episode changes without a new referral, by a hub clinician on scheduling's API (the
one producer of `lead-discipline.transferred`): scheduling plans exactly one assessment by the new lead,
triage and the hub's board follow, and no second referral is made. Moved from tests/test_triage_api.py
when the event got its one producer."""

from __future__ import annotations

import asyncio
from typing import Any

from carerelay_contract.topics import Topic

from .support.kafka import wait_for_messages
from .support.system import HUB_CLINICIAN, HUB_HANDLER, RunningSystem
from .support.waiting import eventually


async def test_the_lead_changes_without_a_new_referral_and_scheduling_reacts(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json={**referral_body, "presenting_needs": ["medication"]})
    assert response.status_code == 201
    referral = response.json()
    episode_id = referral["episode_id"]

    async def decision() -> dict[str, Any] | None:
        async with await system.client("triage", HUB_CLINICIAN) as client:
            found = await client.get(f"/api/triage/referrals/{referral['referral_id']}")
        return found.json() if found.status_code == 200 else None

    assert (await eventually(decision, what="a triage decision"))["lead_discipline"] == "nurse"
    await system.accept(referral["referral_id"])
    await eventually(
        lambda: system.query("scheduling", "SELECT 1 FROM visits WHERE episode_id = $1::uuid", episode_id),
        what="scheduling to plan the first response (it knows the lead)",
    )
    referrals_before = await system.query("referral", "SELECT count(*) AS n FROM referrals")

    lead = f"/api/scheduling/episodes/{episode_id}/lead"
    async with await system.client("scheduling", "joe.evans") as carer:
        refused = await carer.post(lead, json={"to_discipline": "therapist"})
    async with await system.client("scheduling", HUB_CLINICIAN) as clinician:
        same = await clinician.post(lead, json={"to_discipline": "nurse"})
        bad = await clinician.post(lead, json={"to_discipline": "plumber", "reason": "x" * 5000})
        moved = await clinician.post(
            lead, json={"to_discipline": "therapist", "reason": "Medication sorted; mobility is now the issue"}
        )
        again = await clinician.post(lead, json={"to_discipline": "therapist"})
        unknown = await clinician.post(
            "/api/scheduling/episodes/00000000-0000-4000-8000-000000000000/lead", json={"to_discipline": "nurse"}
        )
    assert refused.status_code == 403
    assert same.status_code == 409
    assert same.json()["conflict"] == "state"
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["errors"]} == {"to_discipline", "reason"}
    assert "plumber" not in bad.text
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["episode_id"], body["from_discipline"], body["to_discipline"]) == (episode_id, "nurse", "therapist")
    assert body["transferred_at"]
    assert again.status_code == 409, "the new lead already leads"
    assert unknown.status_code == 404

    # One event, from scheduling, by the hub clinician's name.
    (transfer,) = await wait_for_messages(
        system.kafka,
        system.topic(Topic.EPISODE),
        lambda m: m.key == episode_id.encode() and m.ce_type.endswith("lead-discipline.transferred.v1"),
    )
    assert transfer.headers["ce_source"] == "/carerelay/scheduling"
    assert b'"transferred_by":"Ruth Ellis"' in (transfer.value or b"")

    # Scheduling plans exactly one assessment by a therapist for the same episode.
    sql = "SELECT * FROM visits WHERE episode_id = $1::uuid AND purpose = 'assessment'"
    await eventually(lambda: system.query("scheduling", sql, episode_id), what="an assessment visit by the new lead")
    await asyncio.sleep(1.5)  # a second assessment, if one were coming, would be planned by now
    (visit,) = await system.query("scheduling", sql, episode_id)
    assert visit["discipline"] in ("occupational-therapist", "physiotherapist")

    async def board_shows_therapist() -> bool:
        rows = await system.query("referral", "SELECT lead_discipline FROM referrals WHERE episode_id = $1::uuid", episode_id)
        return bool(rows[0]["lead_discipline"] == "therapist")

    async def triage_follows() -> bool:
        followed = await decision()
        return followed is not None and followed["lead_discipline"] == "therapist"

    await eventually(board_shows_therapist, what="the board to show the new lead")
    await eventually(triage_follows, what="triage to follow the new lead")
    assert (await system.query("referral", "SELECT count(*) AS n FROM referrals"))[0]["n"] == referrals_before[0]["n"]
    audited = await system.query(
        "scheduling",
        "SELECT purpose, outcome FROM audit_log WHERE $1 = ANY(resource_ids) AND action = 'lead.transfer'",
        episode_id,
    )
    assert ("lead transfer", "allowed") in [(row["purpose"], row["outcome"]) for row in audited]
