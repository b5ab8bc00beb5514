"""Triage's API: every decision explains itself; a hub clinician can override it with a reason (an
event, audited). Handing the lead to another discipline is scheduling's route, tested with it."""

from __future__ import annotations

from typing import Any

from carerelay_contract.topics import Topic

from .support.kafka import wait_for_messages
from .support.system import HUB_CLINICIAN, HUB_HANDLER, RunningSystem
from .support.waiting import eventually


async def _referral(system: RunningSystem, body: dict[str, Any], needs: list[str]) -> dict[str, Any]:
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json={**body, "presenting_needs": needs})
    assert response.status_code == 201
    created: dict[str, Any] = response.json()
    return created


async def _decided(system: RunningSystem, referral_id: str) -> dict[str, Any]:
    async def decision() -> dict[str, Any] | None:
        async with await system.client("triage", HUB_CLINICIAN) as client:
            response = await client.get(f"/api/triage/referrals/{referral_id}")
        return response.json() if response.status_code == 200 else None

    return await eventually(decision, what="a triage decision")


async def test_a_decision_says_which_rules_made_it(system: RunningSystem, referral_body: dict[str, Any]) -> None:
    referral = await _referral(system, referral_body, ["fall"])
    decision = await _decided(system, referral["referral_id"])
    assert decision["tier"] == "ucr-2h"
    assert "ucr-clinical-need" in decision["rules_fired"]
    assert decision["rules_version"]


async def test_a_hub_clinician_overrides_with_a_reason_and_everyone_sees_it(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    referral = await _referral(system, {**referral_body, "route": "step-up"}, ["wound-care"])
    before = await _decided(system, referral["referral_id"])
    assert before["tier"] == "normal"

    async with await system.client("triage", HUB_HANDLER) as handler:
        refused = await handler.post(
            f"/api/triage/referrals/{referral['referral_id']}/override",
            json={"tier": "rapid", "lead_discipline": "nurse", "reason": "Carer says the wound is worse"},
        )
    async with await system.client("triage", HUB_CLINICIAN) as clinician:
        no_reason = await clinician.post(
            f"/api/triage/referrals/{referral['referral_id']}/override", json={"tier": "rapid", "lead_discipline": "nurse"}
        )
        overridden = await clinician.post(
            f"/api/triage/referrals/{referral['referral_id']}/override",
            json={"tier": "rapid", "lead_discipline": "nurse", "reason": "Carer says the wound is worse"},
        )
    assert refused.status_code == 403, "only a hub clinician may override"
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert overridden.status_code == 200, overridden.text
    assert overridden.json()["tier"] == "rapid"
    assert "overridden-by-hub-clinician" in overridden.json()["rules_fired"]

    events = await wait_for_messages(
        system.kafka,
        system.topic(Topic.TRIAGE),
        lambda m: m.key == referral["episode_id"].encode() and m.ce_type == "uk.nhs.carerelay.triage.overridden.v1",
    )
    assert len(events) == 1

    async def board_shows_rapid() -> bool:
        rows = await system.query("referral", "SELECT tier FROM referrals WHERE referral_id = $1::uuid", referral["referral_id"])
        return bool(rows[0]["tier"] == "rapid")

    await eventually(board_shows_rapid, what="the board to show the overridden tier")
    audited = await system.query(
        "triage",
        "SELECT purpose FROM audit_log WHERE $1 = ANY(resource_ids) AND action = 'triage.override'",
        referral["referral_id"],
    )
    assert "hub triage: override" in [row["purpose"] for row in audited]

