"""Two instances of every service, as `make run` starts them with CARERELAY_INSTANCES=2: each
service's two processes share one consumer group (triage: two faust workers) and one database, and
the web origin spreads requests and streams over them. Referrals posted through the web origin are
triaged once each, the work split between the two triage workers, and a hub screen on the live
stream (served by either notifications instance) sees each referral's triage once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from carerelay_contract.topics import Topic
from carerelay_contract.triage import TriageCompleted
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import KafkaTransport
from carerelay_testing.broker import eventually, read_events
from carerelay_testing.factories import referral_submission

from .support.otlp import OtlpCollector
from .support.sse import Screen
from .support.system import HUB_HANDLER, RunningSystem, StackSettings

REFERRALS = 40


@pytest.fixture(scope="module")
async def twice() -> AsyncIterator[RunningSystem]:
    run_id = uuid4().hex[:8]
    collector = OtlpCollector()
    collector.start()
    running = RunningSystem(
        run_id=run_id, kafka=KafkaSettings(topic_prefix=f"t{run_id}."), stack=StackSettings(), collector=collector, instances=2
    )
    try:
        await running.start()
        yield running
    finally:
        await running.stop()
        collector.stop()


async def _handled(base_url: str, consumer: str) -> float:
    """What the instance's /metrics says it handled as a member of `consumer`."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        text = (await client.get("/metrics")).text
    pattern = rf'^carerelay_events_processed_total\{{consumer="{re.escape(consumer)}",outcome="handled"\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, text, re.MULTILINE))


async def test_two_instances_of_each_service_split_the_work_and_do_nothing_twice(twice: RunningSystem) -> None:
    headers = await twice.headers(HUB_HANDLER)
    screen = await Screen(twice.web_origin, headers).open()
    try:
        async with httpx.AsyncClient(base_url=twice.web_origin, headers=headers, timeout=30) as client:
            posted: list[dict[str, Any]] = []
            for _ in range(REFERRALS):
                response = await client.post("/api/referral/referrals", json=referral_submission())
                assert response.status_code == 201, response.text
                posted.append(response.json())
                await asyncio.sleep(0.05)
        referral_ids = {referral["referral_id"] for referral in posted}
        assert len(referral_ids) == REFERRALS

        transport = KafkaTransport(twice.kafka)
        decided = await read_events(transport, Topic.TRIAGE, REFERRALS, within=60)
        completed = [e for e in decided if isinstance(e.event, TriageCompleted) and str(e.event.referral_id) in referral_ids]
        assert sorted(str(e.event.referral_id) for e in completed) == sorted(referral_ids), "each referral triaged once"  # type: ignore[attr-defined]
        assert len({e.metadata.id for e in completed}) == REFERRALS

        episodes = {referral["episode_id"] for referral in posted}

        async def all_shown() -> bool:
            shown = [e for e in screen.events if e.type == "triage.completed" and e.data["episode_id"] in episodes]
            return len(shown) >= REFERRALS

        await eventually(all_shown, within=60, what="every referral's triage on the hub's live stream")
        await asyncio.sleep(1.0)  # anything sent twice would have come by now
        shown = [e.data["episode_id"] for e in screen.events if e.type == "triage.completed" and e.data["episode_id"] in episodes]
        assert sorted(shown) == sorted(episodes), "the live stream shows each triage once"
        assert len({e.id for e in screen.events}) == len(screen.events)
    finally:
        await screen.close()

    group = f"{twice.kafka.topic_prefix}carerelay-triage"
    per_worker = [await _handled(twice.url(name), group) for name in ("triage", "triage-2")]
    assert all(handled > 0 for handled in per_worker), f"both faust workers took a share: {per_worker}"
    assert sum(per_worker) == REFERRALS, f"triage handled each referral once between them: {per_worker}"
    rows = await twice.query("triage", "SELECT count(*) AS decisions FROM triage_decisions")
    assert rows[0]["decisions"] == REFERRALS
    notifications_group = f"{twice.kafka.topic_prefix}carerelay-notifications"
    shares = [await _handled(twice.url(name), notifications_group) for name in ("notifications", "notifications-2")]
    assert all(share > 0 for share in shares), f"both notifications instances took a share: {shares}"
