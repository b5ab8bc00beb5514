"""Faults in the services and their database while referrals stream through the whole system on the
three-broker cluster (issue 14's scenarios 2, 6 and 11). Each posts `N` referrals through the hub's API,
accepts each once triaged, injects its fault once half are posted, and then counts (tests/fault/stream.py):
every referral triaged once, every first visit decided once, every person told once, each episode's
events in order on every topic, no dead letters, and every consumer group's lag back to zero within
`SETTLE_WITHIN_S` of the last accept.

PostgreSQL is shared with every other test on the machine, so scenario 6 does not restart the server (the
launcher's `postgres restart` would cut every other run's connections too): it does what a restart does to
this run's services, and only to them. Every connection of theirs is terminated (`pg_terminate_backend`,
SQLSTATE 57P01, what a fast shutdown sends) and their roles refuse new connections for `REFUSED_S`
(`CONNECTION LIMIT 0`, 53300, as a server still starting refuses with 57P03: both transient classes)."""

from __future__ import annotations

import asyncio
import os
import signal

import asyncpg
import pytest

from carerelay_infra.kafka_cluster import KafkaCluster
from carerelay_stack.settings import SERVICES

from ..support.system import RunningSystem
from .stream import fault_system, run_stream

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
"""Referrals per scenario (issue 14: 1,000)."""
REFUSED_S = 10.0
STOPPED_S = 30.0

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
"""About three minutes a scenario on this two-core machine: more than the suite's five-minute default allows for a slow run."""


async def test_postgresql_restarted_mid_stream_loses_duplicates_and_reorders_nothing(cluster: KafkaCluster) -> None:
    async def restart_postgresql(system: RunningSystem) -> str:
        roles = [system.database_name(service) for service in SERVICES]
        admin = await asyncpg.connect(system.stack.admin_url())
        try:
            for role in roles:
                await admin.execute(f'ALTER ROLE "{role}" CONNECTION LIMIT 0')
            terminated = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = ANY($1::text[])", roles
            )
            await asyncio.sleep(REFUSED_S)
        finally:
            for role in roles:
                await admin.execute(f'ALTER ROLE "{role}" CONNECTION LIMIT -1')
            await admin.close()
        return f"{terminated} service connections terminated, new ones refused for {REFUSED_S:.0f} s"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, restart_postgresql, "6: PostgreSQL restarted mid-stream")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)


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
