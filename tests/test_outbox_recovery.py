"""A service killed after writing but before publishing: the outbox publishes on restart, once."""

from __future__ import annotations

from typing import Any

import httpx

from carerelay_contract.topics import Topic

from .support.kafka import read_all, wait_for_messages
from .support.system import HUB_HANDLER, RunningSystem
from .support.waiting import eventually


async def test_events_written_before_a_crash_are_published_after_restart(
    system: RunningSystem, referral_body: dict[str, Any]
) -> None:
    database_url = await system.add_database("referral_crash")
    # A second referral service with its own database, whose relay is off: it writes but never publishes.
    crashing = system.service_process("referral", database_url, label="referral-crash", CARERELAY_REFERRAL_RELAY_ENABLED="false")
    crashing.start()
    try:
        crashing.wait_healthy()
        async with httpx.AsyncClient(base_url=crashing.base_url, headers=await system.headers(HUB_HANDLER)) as client:
            response = await client.post("/api/referral/referrals", json=referral_body)
        assert response.status_code == 201
        episode_key = response.json()["episode_id"].encode()
        referral_id = response.json()["referral_id"]

        pending = await system.query("referral_crash", "SELECT * FROM event_outbox WHERE published_at IS NULL")
        assert len(pending) == 1
        assert not [m for m in await read_all(system.kafka, system.topic(Topic.REFERRAL)) if m.key == episode_key]

        crashing.kill()  # SIGKILL: no clean shutdown
        restarted = system.service_process("referral", database_url, label="referral-restarted")
        restarted.start()
        try:
            restarted.wait_healthy()
            published = await wait_for_messages(system.kafka, system.topic(Topic.REFERRAL), lambda m: m.key == episode_key)
            assert len(published) == 1
            assert published[0].ce_type == "uk.nhs.carerelay.referral.received.v1"
            assert (await system.query("referral_crash", "SELECT count(*) AS n FROM event_outbox WHERE published_at IS NULL"))[0][
                "n"
            ] == 0
            # and the rest of the system picks it up
            await eventually(
                lambda: system.query("triage", "SELECT 1 FROM triage_decisions WHERE referral_id = $1::uuid", referral_id),
                what="triage to decide the recovered referral",
            )
        finally:
            restarted.stop()
    finally:
        crashing.stop()
