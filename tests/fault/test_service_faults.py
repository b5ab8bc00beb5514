"""Faults in the services and their database while referrals stream through the whole system on the
three-broker cluster (issue 14's scenarios 2, 6 and 11). Each posts `N` referrals through the hub's API,
accepts each once triaged, injects its fault once half are posted, and then counts (tests/fault/stream.py):
every referral triaged once, every first visit decided once, every person told once, each episode's
events in order on every topic, no dead letters, and every consumer group's lag back to zero within
`SETTLE_WITHIN_S` of the last accept.

Scenario 6 restarts PostgreSQL for real: the run's databases are on a server of its own (the launcher's
`postgres_server`, data in `<data>/postgres-fault`, on a free port), so the restart cuts nobody else's
connections. It is stopped in fast mode (every session ended with 57P01), nothing listens for `DOWN_S`, and
it is started again (`pg_ctl -w`)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from carerelay_infra import paths, postgres_server
from carerelay_infra.kafka_cluster import KafkaCluster
from carerelay_stack.settings import StackSettings
from carerelay_testing.ports import free_port

from ..support.system import RunningSystem
from .stream import fault_system, run_stream

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
"""Referrals per scenario (issue 14: 1,000)."""
DOWN_S = 5.0
STOPPED_S = 30.0

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
"""About three minutes a scenario on this two-core machine: more than the suite's five-minute default allows for a slow run."""


async def test_postgresql_restarted_mid_stream_loses_duplicates_and_reorders_nothing(cluster: KafkaCluster) -> None:
    data, port = paths.data_dir() / "postgres-fault", free_port()
    await asyncio.to_thread(postgres_server.ensure_running, data, port=port)

    async def restart_postgresql(system: RunningSystem) -> str:
        connections = await system.query(
            "referral", "SELECT count(*) AS n FROM pg_stat_activity WHERE datname LIKE $1", f"%{system.run_id}%"
        )
        await asyncio.to_thread(postgres_server.stop, data)  # fast shutdown: every session ended (57P01)
        await asyncio.sleep(DOWN_S)  # refused: nothing listens
        began = time.monotonic()
        await asyncio.to_thread(postgres_server.ensure_running, data, port=port)
        return (
            f"PostgreSQL (a server of this scenario's own) stopped in fast mode with {connections[0]['n']} sessions of "
            f"the run's services, down {DOWN_S:.0f} s, back {time.monotonic() - began:.1f} s after its start"
        )

    try:
        async with fault_system(cluster, N, stack=StackSettings(port=port)) as system:
            report = await run_stream(system, N, restart_postgresql, "6: PostgreSQL restarted mid-stream")
        print(report)
        report.assert_nothing_lost_duplicated_or_stuck(N)
    finally:
        await asyncio.to_thread(postgres_server.stop, data)


async def test_a_consumer_killed_mid_stream_and_restarted_loses_and_duplicates_nothing(cluster: KafkaCluster) -> None:
    async def kill_scheduling(system: RunningSystem) -> str:
        process = system.processes["scheduling"]
        await asyncio.to_thread(process.kill)
        process.start()
        await asyncio.to_thread(process.wait_healthy, 120.0)
        return "scheduling SIGKILLed and restarted"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, kill_scheduling, "2: a consumer (scheduling) SIGKILLed mid-stream")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)


async def test_a_service_stopped_for_30_s_catches_up_by_itself(cluster: KafkaCluster) -> None:
    async def stall_triage(system: RunningSystem) -> str:
        process = system.processes["triage"].process
        assert process is not None
        os.killpg(process.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(STOPPED_S)
        finally:
            os.killpg(process.pid, signal.SIGCONT)
        return f"triage (its API and faust agent) SIGSTOPped for {STOPPED_S:.0f} s, then SIGCONT"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, stall_triage, "11: a service SIGSTOPped for 30 s")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)
