"""A referral posted to the hub travels referral -> triage -> scheduling -> notifications over the
real Kafka, and every step is visible in the real databases, on the real topics and in one trace."""

from __future__ import annotations

from typing import Any

import orjson

from carerelay_contract.topics import Topic

from .support.kafka import wait_for_messages
from .support.staff import bank_nurses
from .support.system import HUB_HANDLER, RunningSystem
from .support.waiting import eventually


async def test_a_referral_travels_through_all_four_services_in_one_trace(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    await bank_nurses(system)  # people free in the next hours, whatever earlier tests booked or left waiting
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=referral_body, headers={"X-Correlation-ID": "case-mrs-a"})
    assert response.status_code == 201, response.text
    referral = response.json()
    referral_id, episode_id = referral["referral_id"], referral["episode_id"]

    # Triage decided: reduced function is a UCR need, medication makes it nursing-led.
    decision = await eventually(
        lambda: _one(system, "triage", "SELECT * FROM triage_decisions WHERE referral_id = $1", referral_id),
        what="a triage decision",
    )
    assert decision["tier"] == "ucr-2h"
    assert decision["lead_discipline"] == "nurse"
    assert "ucr-clinical-need" in decision["rules_fired"]

    # A hub clinician accepts it, and the referrer is told.
    await system.accept(referral_id)

    # Scheduling planned the first visit, and its re-planner assigned it to a nurse, before the deadline.
    visit = await eventually(
        lambda: _one(system, "scheduling", "SELECT * FROM visits WHERE referral_id = $1 AND status <> 'planned'", referral_id),
        what="an assigned visit",
    )
    assert visit["purpose"] == "first-response"
    assert visit["status"] == "assigned"
    assert visit["planned_start"] <= decision["first_contact_deadline"]
    staff = await system.query("scheduling", "SELECT discipline FROM staff WHERE staff_id = $1", visit["staff_id"])
    assert staff[0]["discipline"] == "nurse"

    # Notifications recorded an in-app message for that nurse.
    message = await eventually(
        lambda: _one(
            system, "notifications", "SELECT * FROM messages WHERE episode_id = $1 AND audience = 'field-staff'", episode_id
        ),
        what="a notification",
    )
    assert message["recipient_ref"] == str(visit["staff_id"])
    assert message["audience"] == "field-staff"

    # The hub sees where the referral has got to, from the events.
    async def planned() -> dict[str, Any] | None:
        async with await system.client("referral", HUB_HANDLER) as client:
            body: dict[str, Any] = (await client.get(f"/api/referral/referrals/{referral_id}")).json()
        return body if body["status"] == "first-visit-planned" else None

    shown = await eventually(planned, what="the referral to show its planned first visit")
    assert shown["tier"] == "ucr-2h"

    # Every event of the case is on its topic, keyed by the episode, with the case's correlation id.
    def of_episode(message: Any) -> bool:
        return bool(message.key == episode_id.encode())

    expected = {
        Topic.REFERRAL: ["uk.nhs.carerelay.referral.received.v1", "uk.nhs.carerelay.referral.accepted.v1"],
        Topic.TRIAGE: ["uk.nhs.carerelay.triage.completed.v1"],
        Topic.VISIT: ["uk.nhs.carerelay.visit.planned.v1", "uk.nhs.carerelay.visit.assigned.v1"],
        Topic.NOTIFICATION: [
            "uk.nhs.carerelay.notification.requested.v1",  # the hub, to call the referrer back (a landline)
            "uk.nhs.carerelay.notification.delivered.v1",  # in the hub's inbox at once
            "uk.nhs.carerelay.notification.requested.v1",  # the nurse, told of the visit
            "uk.nhs.carerelay.notification.delivered.v1",
        ],
    }
    trace_ids = set()
    for topic, types in expected.items():
        messages = await wait_for_messages(system.kafka, system.topic(topic), of_episode, count=len(types))
        assert sorted(m.ce_type for m in messages) == sorted(types)
        for m in messages:
            assert m.headers["carerelay_correlationid"] == "case-mrs-a"
            assert m.headers["ce_specversion"] == "1.0"
            assert m.headers["content-type"] == "application/json"
            trace_ids.add(m.headers["traceparent"].split("-")[1])
    received = orjson.loads((await wait_for_messages(system.kafka, system.topic(Topic.REFERRAL), of_episode))[0].value or b"")
    assert received["referral_id"] == referral_id
    assert len(trace_ids) == 1, "every event of the case carries the same trace"

    # One trace, with spans from all four services, including a process span around each handler.
    (trace_id,) = trace_ids

    expected_handlers = {
        ("triage", f"process {system.topic(Topic.REFERRAL)}"),
        ("scheduling", f"process {system.topic(Topic.TRIAGE)}"),
        ("notifications", f"process {system.topic(Topic.VISIT)}"),
    }

    def process_spans() -> set[tuple[str, str]]:
        return {
            (span.service, span.name)
            for span in system.collector.snapshot()
            if span.trace_id == trace_id and span.attributes.get("messaging.operation.type") == "process"
        }

    async def every_handler_reported() -> bool:
        return expected_handlers <= process_spans()

    # Spans are exported in batches, so wait until each service's handler span has arrived.
    await eventually(every_handler_reported, within=30, what="a process span from each service's handler in the one trace")
    spans = [span for span in system.collector.snapshot() if span.trace_id == trace_id]
    assert {span.service for span in spans} >= {"referral", "triage", "scheduling", "notifications"}
    assert any(span.service == "referral" and span.name == "POST /api/referral/referrals" for span in spans)

    # No personal data in any span.
    for span in system.collector.snapshot():
        text = " ".join([span.name, *span.attributes.values()])
        for identifier in ("9990000018", "Archer", "Mill Lane", "LE1 1AA"):
            assert identifier not in text


async def _one(system: RunningSystem, service: str, sql: str, *args: Any) -> Any:
    rows = await system.query(service, sql, *args)
    return rows[0] if rows else None
