"""The same event delivered twice has one effect; the same submit retried makes one referral."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.topics import Topic
from carerelay_contract.triage import TriageCompleted

from .support.events import a_triage_decision, its_acceptance
from .support.kafka import Message, produce_raw, publish, read_all, wait_for_messages
from .support.staff import bank_nurses
from .support.system import HUB_HANDLER, RunningSystem
from .support.waiting import eventually


async def test_a_redelivered_triage_decision_plans_one_visit(system: RunningSystem) -> None:
    await bank_nurses(system)  # people free in the next hours, whatever earlier tests booked or left waiting
    decision = a_triage_decision()
    await publish(system.kafka, its_acceptance(decision))
    metadata = new_metadata(decision, "/carerelay/triage")
    for _ in range(2):  # the same event (same source and id) delivered twice
        await produce_raw(
            system.kafka,
            system.topic(Topic.TRIAGE),
            encode_data(decision),
            decision.partition_key().encode(),
            encode_headers(metadata, {}),
        )
    await eventually(
        lambda: system.query("scheduling", "SELECT 1 FROM visits WHERE referral_id = $1", decision.referral_id),
        what="the decision, once accepted too, to plan its first visit",
    )
    # A later event on the copies' own partition: once it is handled, both copies have been consumed.
    marker = TriageCompleted(**{**decision.model_dump(), "episode_id": uuid4(), "referral_id": uuid4()})
    marker_metadata = new_metadata(marker, "/carerelay/triage")
    await produce_raw(
        system.kafka,
        system.topic(Topic.TRIAGE),
        encode_data(marker),
        decision.partition_key().encode(),
        encode_headers(marker_metadata, {}),
    )
    await eventually(
        lambda: system.query("scheduling", "SELECT 1 FROM processed_events WHERE event_id = $1", marker_metadata.id),
        what="the marker, behind both copies on their partition, to be handled",
    )
    assert await system.query("scheduling", "SELECT 1 FROM processed_events WHERE event_id = $1", metadata.id)
    visits = await system.query("scheduling", "SELECT * FROM visits WHERE referral_id = $1", decision.referral_id)
    assert len(visits) == 1
    await eventually(
        lambda: system.query(
            "scheduling", "SELECT 1 FROM visits WHERE referral_id = $1 AND status = 'assigned'", decision.referral_id
        ),
        within=180,
        what="its one visit assigned",
    )

    def its_assignment(message: Message) -> bool:
        return message.key == str(decision.episode_id).encode() and message.ce_type == "uk.nhs.carerelay.visit.assigned.v1"

    await wait_for_messages(system.kafka, system.topic(Topic.VISIT), its_assignment)
    await asyncio.sleep(2.0)  # a second assignment, if one were coming, would be published by now
    assigned = [m for m in await read_all(system.kafka, system.topic(Topic.VISIT)) if its_assignment(m)]
    assert len(assigned) == 1  # announced once
    assert len(await system.query("scheduling", "SELECT 1 FROM visits WHERE referral_id = $1", decision.referral_id)) == 1


async def test_a_retried_submit_with_the_same_idempotency_key_makes_one_referral(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    key = f"submit-{uuid4()}"
    async with await system.client("referral", HUB_HANDLER) as client:
        first = await client.post("/api/referral/referrals", json=referral_body, headers={"Idempotency-Key": key})
        second = await client.post("/api/referral/referrals", json=referral_body, headers={"Idempotency-Key": key})
        bars_retry = await client.post("/api/referral/referrals", json=referral_body, headers={"X-Request-ID": key})
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["referral_id"] == first.json()["referral_id"]
    assert bars_retry.json()["referral_id"] == first.json()["referral_id"]
    rows = await system.query("referral", "SELECT count(*) AS n FROM referrals WHERE idempotency_key = $1", key)
    assert rows[0]["n"] == 1
    outbox = await system.query(
        "referral", "SELECT count(*) AS n FROM event_outbox WHERE record_key = $1", first.json()["episode_id"]
    )
    assert outbox[0]["n"] == 1
