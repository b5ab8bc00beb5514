"""Faults on the bus while referrals stream through the whole system on the three-broker cluster
(issue 14's scenarios 1, 4 and 7; tests/fault/stream.py counts what went in and what came out).

1. A broker SIGKILLed mid-stream (the leader of the visit topic's partition 0) and restarted `DOWN_S`
   later: the services' producers and consumers move to the new leaders and back, and nothing is lost,
   duplicated in effect or reordered. (test_broker_loss.py does the same at the producer's level,
   record by record, and checks the topics are kept as production keeps them.)
4. The same events delivered twice, and from two sources: once half are posted, the records so far on
   the referral, triage and visit topics are sent again, every one, by two producers of their own (a
   producer's retry after a lost acknowledgement, and a second system re-sending what it relayed), with
   the same key, data and CloudEvents id and source. The inboxes must absorb every copy.
7. More consumers than partitions, and rebalances under load: `EXTRA` more instances of notifications
   join its consumer group (seven members for six partitions, so one has none), then three leave cleanly
   and two are SIGKILLed (their partitions move once the group notices), while the stream goes on."""

from __future__ import annotations

import asyncio
import os

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from carerelay_contract.topics import Topic
from carerelay_events.transport.aiokafka import connection_options, create_producer
from carerelay_infra import kafka_cluster
from carerelay_infra.kafka_cluster import KafkaCluster

from ..support.kafka import read_all
from ..support.system import RunningSystem
from .stream import fault_system, run_stream
from .test_broker_loss import leader_of, wait_until_fully_in_sync

N = int(os.environ.get("CARERELAY_FAULT_REFERRALS", "1000"))
DOWN_S = 20.0
EXTRA = 6
COPIED = (Topic.REFERRAL, Topic.TRIAGE, Topic.VISIT)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


async def test_a_broker_killed_mid_stream_loses_duplicates_and_reorders_nothing(cluster: KafkaCluster) -> None:
    async def kill_a_broker(system: RunningSystem) -> str:
        admin = AIOKafkaAdminClient(**connection_options(system.kafka), client_id="carerelay-fault-tests")
        await admin.start()
        try:
            topic = system.topic(Topic.VISIT)
            victim = await leader_of(admin, topic, partition=0)
            assert kafka_cluster.kill(cluster, victim), f"broker {victim} was not running"
            try:
                await asyncio.sleep(DOWN_S)
            finally:
                await asyncio.to_thread(kafka_cluster.start, cluster, victim)
            rejoined = await wait_until_fully_in_sync(admin, topic, within=120.0)
        finally:
            await admin.close()
        return f"broker {victim} SIGKILLed for {DOWN_S:.0f} s, back in every in-sync set {rejoined:.0f} s after its restart"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, kill_a_broker, "1: a broker SIGKILLed mid-stream")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)


async def test_the_same_events_delivered_twice_and_from_two_sources_have_one_effect(cluster: KafkaCluster) -> None:
    async def deliver_everything_again(system: RunningSystem) -> str:
        copied = 0
        for client_id in ("carerelay-fault-retry", "carerelay-fault-second-source"):
            producer = create_producer(system.kafka, client_id)
            await producer.start()
            try:
                for topic in COPIED:
                    name = system.topic(topic)
                    for message in await read_all(system.kafka, name):
                        headers = [(key, value.encode()) for key, value in message.headers.items()]
                        await producer.send(name, value=message.value, key=message.key, headers=headers)
                        copied += 1
                await producer.flush()
            finally:
                await producer.stop()
        return f"{copied} copies sent, every record so far on {len(COPIED)} topics twice more, by two producers"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, deliver_everything_again, "4: the same events twice, and from two sources")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)
    assert report.redelivered_records > 0, "the copies are on the topics"


async def test_more_consumers_than_partitions_and_rebalances_under_load_lose_and_repeat_nothing(cluster: KafkaCluster) -> None:
    async def crowd_and_thin_the_group(system: RunningSystem) -> str:
        extra = [
            system.service_process("notifications", system.databases["notifications"], label=f"notifications-extra-{n}")
            for n in range(1, EXTRA + 1)
        ]
        for process in extra:
            process.start()
        try:
            for process in extra:
                await asyncio.to_thread(process.wait_healthy, 120.0)
            await asyncio.sleep(10.0)  # seven members for six partitions, under load
            for process in extra[:3]:
                await asyncio.to_thread(process.stop)
            for process in extra[3:5]:
                await asyncio.to_thread(process.kill)
            await asyncio.sleep(15.0)
        finally:
            for process in extra:
                await asyncio.to_thread(process.stop)
        return f"{EXTRA} more notifications instances joined (7 members, 6 partitions); 3 left cleanly, 2 SIGKILLed, 1 stopped"

    async with fault_system(cluster, N) as system:
        report = await run_stream(system, N, crowd_and_thin_the_group, "7: more consumers than partitions, rebalances")
    print(report)
    report.assert_nothing_lost_duplicated_or_stuck(N)
