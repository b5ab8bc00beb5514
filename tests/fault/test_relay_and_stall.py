"""Issue 14's scenarios 3 and 9, while referrals stream through the whole system on the three-broker
cluster (tests/fault/stream.py counts what went in and what came out).

3. Scheduling's outbox relay killed between publish and mark: a trigger on its outbox holds the relay's
   "published" update (`pg_sleep`), so the relay has sent a batch to Kafka and not yet recorded it; then
   the service is SIGKILLed (its database session ended with it) and restarted. The batch goes out again:
   every copy must be absorbed by the consumers' inboxes (nothing announced or told twice).
9. Notifications' consumer stops making progress (its inbox table locked, so a record it is processing
   never finishes): /health must say so, naming the consumer, within `REPORTED_WITHIN_S` (the stall
   threshold, `CARERELAY_CONSUMER_STALLED_AFTER_SECONDS`, 60 s by default, plus the time to notice),
   and the metric `carerelay_worker_busy_seconds` must show the record in processing about that long.
   Then the lock goes and everything settles by itself."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
import httpx
import pytest

from carerelay_infra.kafka_cluster import KafkaCluster

from ..support.system import RunningSystem
from .holds import held_sessions
from .stream import fault_system, run_stream

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
STALL_AFTER_S = 60.0
"""The services' default `CARERELAY_CONSUMER_STALLED_AFTER_SECONDS`."""
REPORTED_WITHIN_S = STALL_AFTER_S + 15.0
"""A stall is on /health within its threshold plus the time for the worker's lag report (5 s) and our poll."""

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

HOLD_THE_MARK = """
CREATE FUNCTION fault_hold_the_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(3600); RETURN NEW; END $$;
CREATE TRIGGER fault_hold_the_mark BEFORE UPDATE OF published_at ON event_outbox
FOR EACH ROW WHEN (OLD.published_at IS NULL AND NEW.published_at IS NOT NULL) EXECUTE FUNCTION fault_hold_the_mark();
"""
LET_GO = "DROP TRIGGER fault_hold_the_mark ON event_outbox; DROP FUNCTION fault_hold_the_mark();"


async def test_the_relay_killed_between_publish_and_mark_says_nothing_twice(cluster: KafkaCluster) -> None:
    async def kill_the_relay_between_publish_and_mark(system: RunningSystem) -> str:
        scheduling = system.processes["scheduling"]
        admin = await asyncpg.connect(system.stack.admin_url(system.database_name("scheduling")))
        try:
            await admin.execute(HOLD_THE_MARK)
            held = await held_sessions(admin, "the relay to publish a batch and wait to mark it")
            marking = await admin.fetchval("SELECT count(*) FROM event_outbox WHERE published_at IS NULL AND failed_at IS NULL")
            await asyncio.to_thread(scheduling.kill)
            await admin.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", held)
            await admin.execute(LET_GO)
        finally:
            await admin.close()
        scheduling.start()
        await asyncio.to_thread(scheduling.wait_healthy, 120.0)
        return (
            f"scheduling SIGKILLed while its relay, having published a batch, waited to mark it "
            f"({marking} rows unmarked), then restarted"
        )

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, kill_the_relay_between_publish_and_mark, "3: relay killed between publish and mark")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)
    assert report.redelivered_records > 0, "the batch the relay had published went out again, as copies"


async def test_a_consumer_that_stops_making_progress_is_reported(cluster: KafkaCluster) -> None:
    seen: dict[str, object] = {}

    async def stall_notifications(system: RunningSystem) -> str:
        url = system.url("notifications")
        admin = await asyncpg.connect(system.stack.admin_url(system.database_name("notifications")))
        try:
            held = admin.transaction()
            await held.start()
            await admin.execute("LOCK TABLE processed_events IN SHARE MODE")  # its inbox insert waits
            began = time.monotonic()
            async with httpx.AsyncClient(base_url=url, timeout=5) as client:
                while time.monotonic() - began < REPORTED_WITHIN_S:
                    health = await client.get("/health")
                    if health.status_code == 503:
                        seen["reported_after_s"] = round(time.monotonic() - began, 1)
                        seen["reasons"] = health.json()["reasons"]
                        seen["metrics"] = (await client.get("/metrics")).text
                        break
                    await asyncio.sleep(1.0)
            await held.rollback()
            async with httpx.AsyncClient(base_url=url, timeout=5) as client:
                recovered = time.monotonic()
                while (await client.get("/health")).status_code != 200:
                    assert time.monotonic() - recovered < 60, "notifications still unhealthy a minute after the lock went"
                    await asyncio.sleep(1.0)
        finally:
            await admin.close()
        return f"notifications' consumer held (its inbox locked); reported after {seen.get('reported_after_s')} s"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, stall_notifications, "9: a consumer that stops making progress")
    print(report)
    assert "reported_after_s" in seen, f"/health never said 503 within {REPORTED_WITHIN_S:.0f} s"
    reasons = seen["reasons"]
    assert isinstance(reasons, list)
    assert any("consumer" in reason and "notifications" in reason for reason in reasons), reasons
    metrics = str(seen["metrics"])
    busy = [
        line for line in metrics.splitlines() if line.startswith("carerelay_worker_busy_seconds{") and "notifications" in line
    ]
    # The record in processing began a moment after the consumer's last progress, which /health counts from.
    assert any(float(line.rsplit(" ", 1)[1]) >= STALL_AFTER_S - 5 for line in busy), busy
    report.assert_nothing_lost_duplicated_or_stuck(N)
