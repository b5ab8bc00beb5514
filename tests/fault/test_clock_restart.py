"""Issue 14's scenario 8: triage restarted mid-clock, with first contacts waiting in its backlog, gives no
false breach. The stream (tests/fault/stream.py) posts `N` referrals; once half are posted, `CLOCKS` of the
accepted referrals with an assigned first visit have their response clocks brought to a deadline
`DEADLINE_IN_S` away, and triage is SIGKILLed. While it is down, each of those visits starts (the
`visit.started` scheduling publishes when the nurse arrives), before the deadline. The deadline passes
with triage down; triage starts again while its backlog cannot drain yet (its inbox table locked for
`HELD_S`, as a slow database at start would make it). A clock that judged its deadline before reading
the backlog would say BREACHED, and then MET after it. Each of the visits must give one MET and no
breach, and no other clock may breach."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from carerelay_contract.topics import Topic
from carerelay_contract.visit import VisitStarted
from carerelay_infra.kafka_cluster import KafkaCluster

from ..support.kafka import publish, read_all
from ..support.system import RunningSystem
from ..support.waiting import eventually
from .stream import fault_system, run_stream

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
CLOCKS = 20
DEADLINE_IN_S = 15.0
HELD_S = 15.0
BREACHED, MET = "uk.nhs.carerelay.response-clock.breached.v1", "uk.nhs.carerelay.response-clock.met.v1"

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


async def test_triage_restarted_mid_clock_gives_no_false_breach(cluster: KafkaCluster) -> None:
    chosen: list[Any] = []

    async def restart_triage_mid_clock(system: RunningSystem) -> str:
        async def assigned() -> list[Any] | None:
            rows = await system.query(
                "scheduling",
                """
                SELECT visit_id, episode_id, staff_id FROM visits
                WHERE purpose = 'first-response' AND status = 'assigned' ORDER BY created_at LIMIT $1
                """,
                CLOCKS,
            )
            return rows if len(rows) == CLOCKS else None

        chosen.extend(await eventually(assigned, what=f"{CLOCKS} first visits assigned"))
        episodes = [row["episode_id"] for row in chosen]
        triage = system.processes["triage"]
        await asyncio.to_thread(triage.kill)
        deadline = datetime.now(UTC) + timedelta(seconds=DEADLINE_IN_S)
        moved = await system.query(
            "triage",
            """
            UPDATE response_clocks SET deadline = $2, at_risk_fired = true
            WHERE episode_id = ANY($1::uuid[]) AND first_contact_at IS NULL RETURNING 1
            """,
            episodes,
            deadline,
        )
        assert len(moved) == CLOCKS
        for row in chosen:  # each nurse arrives before the deadline, while triage is down
            await publish(
                system.kafka,
                VisitStarted(
                    episode_id=row["episode_id"], visit_id=row["visit_id"], staff_id=row["staff_id"], at=datetime.now(UTC)
                ),
                source="/carerelay/scheduling",
            )
        inbox = await asyncpg.connect(system.stack.admin_url(system.database_name("triage")))
        try:
            held = inbox.transaction()
            await held.start()
            await inbox.execute("LOCK TABLE processed_events IN SHARE MODE")  # reads go on; triage's inbox waits
            await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 2.0)
            triage.start()
            await asyncio.to_thread(triage.wait_healthy, 120.0)
            await asyncio.sleep(HELD_S)  # the clock's ticks run; its backlog does not move
            await held.rollback()
        finally:
            await inbox.close()
        return (
            f"triage SIGKILLed with {CLOCKS} clocks {DEADLINE_IN_S:.0f} s from their deadline and their visits "
            f"started while it was down; restarted after the deadlines with its backlog held for {HELD_S:.0f} s"
        )

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, restart_triage_mid_clock, "8: triage restarted mid-clock")
        print(report)
        clock_events = await read_all(system.kafka, system.topic(Topic.RESPONSE_CLOCK))
    report.assert_nothing_lost_duplicated_or_stuck(N)
    ours = {str(row["episode_id"]).encode() for row in chosen}
    breached = [m for m in clock_events if m.ce_type == BREACHED]
    met = {m.headers.get("ce_id", ""): m.key or b"" for m in clock_events if m.ce_type == MET and m.key in ours}
    assert breached == [], f"{len(breached)} clocks breached, {sum(m.key in ours for m in breached)} of them false"
    assert sorted(met.values()) == sorted(ours), "each started visit's clock says met, once"
