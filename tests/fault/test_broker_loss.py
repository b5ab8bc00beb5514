"""One broker of three SIGKILLed mid-stream, then restarted: every event the project's producer sent
(acks=all, idempotent) is on the topic exactly once, in each episode's order, and the topics are kept
as production keeps them (three copies, two in sync, no unclean leader election).

The stream runs in four phases of `PHASE` events: all three brokers up; the leader of partition 0
killed (its partitions move to the other two once the controller fences it); the broker restarting;
the broker back. Then the killed broker must be back in every partition's in-sync set within
`REJOIN_WITHIN_S`, and a consumer in a new group reads everything back."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from carerelay_contract.envelope import encode_data, encode_headers, new_metadata
from carerelay_contract.topics import TOPICS, Topic, topic_name
from carerelay_contract.visit import VisitStarted
from carerelay_events.admin import all_topic_names, ensure_topics
from carerelay_events.settings import KafkaSettings
from carerelay_events.transport.aiokafka import KafkaTransport, connection_options
from carerelay_infra import kafka_cluster
from carerelay_infra.kafka_cluster import KafkaCluster

EPISODES = 40
PHASE = 100
"""Events sent in each of the four phases: 400 in all, 10 for each episode."""
BATCH = 10
"""Sends in flight at once; the stream waits for the broker's acks before the next batch."""
ACKED_WITHIN_S = 45.0
"""A batch not acknowledged within this fails the test (the producer gives a send up after its request
timeout, 30 s, when a partition has no copy left to lead it). With three copies the first batch after
the kill waits for the controller to fence the dead broker (9 s by default), then goes to the new leaders."""
REJOIN_WITHIN_S = 60.0
READ_WITHIN_S = 60.0
SOURCE = "/tests/fault"

pytestmark = pytest.mark.integration


async def test_a_broker_killed_and_restarted_mid_stream_loses_duplicates_and_reorders_nothing(cluster: KafkaCluster) -> None:
    settings = KafkaSettings(bootstrap_servers=cluster.bootstrap_servers, topic_prefix=f"f{uuid4().hex[:10]}.")
    await ensure_topics(settings)
    topic = topic_name(Topic.VISIT, settings.topic_prefix)
    admin = AIOKafkaAdminClient(**connection_options(settings), client_id="carerelay-fault-tests")
    await admin.start()
    victim: int | None = None
    try:
        await wait_until_fully_in_sync(admin, topic, within=REJOIN_WITHIN_S)  # the new topic's metadata reaches every broker
        await assert_kept_as_production_keeps_them(admin, all_topic_names(settings))
        victim = await leader_of(admin, topic, partition=0)

        sent, failed = await stream_through_a_broker_loss(cluster, settings, topic, victim)
        assert failed == [], f"{len(failed)} sends failed, e.g. {failed[0]!r}"

        rejoined_in = await wait_until_fully_in_sync(admin, topic, within=REJOIN_WITHIN_S)
        print(f"broker {victim} back in every in-sync set {rejoined_in:.1f} s after the stream ended")

        records, on_log = await read_back(settings, topic, expected=sum(len(ids) for ids in sent.values()))
        assert_each_exactly_once_in_order(sent, records)
        assert on_log == sum(len(ids) for ids in sent.values()), "the log holds a record more than once"
        await assert_kept_as_production_keeps_them(admin, ["__consumer_offsets"], check_configs=False)
    finally:
        if victim is not None:  # back for the next test, however this one ended
            await asyncio.to_thread(kafka_cluster.start, cluster, victim)
        try:
            await admin.delete_topics(all_topic_names(settings))
        finally:
            await admin.close()


async def stream_through_a_broker_loss(
    cluster: KafkaCluster, settings: KafkaSettings, topic: str, victim: int
) -> tuple[dict[str, list[str]], list[BaseException]]:
    """Send `4 * PHASE` `visit.started` events, round-robin over `EPISODES` episodes, killing `victim`
    after the first phase and restarting it (in a thread: the stream goes on meanwhile) after the
    second. Returns the ids sent for each episode key, in order, and the sends that failed."""
    episodes = [uuid4() for _ in range(EPISODES)]
    staff = uuid4()
    sent: dict[str, list[str]] = defaultdict(list)
    failed: list[BaseException] = []
    producer = KafkaTransport(settings).producer("carerelay-fault-tests")
    await producer.start()
    restart: asyncio.Future[bool] | None = None
    killed_at = 0.0
    deliveries: list[Awaitable[Any]] = []
    try:
        for n in range(4 * PHASE):
            if n == PHASE:
                assert kafka_cluster.kill(cluster, victim), f"broker {victim} was not running"
                killed_at = time.monotonic()
            elif n == 2 * PHASE:
                print(f"{PHASE} events sent in the {time.monotonic() - killed_at:.1f} s after broker {victim} was killed")
                restart = asyncio.ensure_future(asyncio.to_thread(kafka_cluster.start, cluster, victim))
            elif n == 3 * PHASE:
                assert restart is not None
                assert await restart, f"broker {victim} was running again before its restart"
            if len(deliveries) == BATCH:
                failed += await _acked(deliveries)
                deliveries = []
                if failed:
                    break  # lost already: the test fails, and sooner
            event = VisitStarted(episode_id=episodes[n % EPISODES], visit_id=uuid4(), staff_id=staff, at=datetime.now(UTC))
            metadata = new_metadata(event, SOURCE)
            deliveries.append(
                await producer.send(
                    topic, value=encode_data(event), key=event.partition_key().encode(), headers=encode_headers(metadata, {})
                )
            )
            sent[event.partition_key()].append(metadata.id)
        failed += await _acked(deliveries)
    finally:
        if restart is not None:
            await restart
        # The victim back first, whatever stopped the stream: stopping the producer waits for every send.
        await asyncio.to_thread(kafka_cluster.start, cluster, victim)
        await producer.stop()
    return dict(sent), failed


async def _acked(deliveries: list[Awaitable[Any]]) -> list[BaseException]:
    """Wait for every delivery of a batch; return the failures. Fails the test if the batch is not
    acknowledged within `ACKED_WITHIN_S`."""
    try:
        results = await asyncio.wait_for(asyncio.gather(*deliveries, return_exceptions=True), timeout=ACKED_WITHIN_S)
    except TimeoutError:
        raise AssertionError(f"a batch of {len(deliveries)} sends not acknowledged within {ACKED_WITHIN_S:.0f} s") from None
    return [result for result in results if isinstance(result, BaseException)]


async def read_back(settings: KafkaSettings, topic: str, expected: int) -> tuple[list[tuple[str, str]], int]:
    """Read the topic from the start as a new consumer group of the project's consumer would
    (read_committed), until `expected` records have come and a further second brings none. Returns
    (key, ce_id) of each record in the order read, and how many records the partitions' logs hold."""
    consumer = KafkaTransport(settings).consumer(f"{settings.topic_prefix}reader-{uuid4().hex[:8]}", [topic])
    await consumer.start()
    records: list[tuple[str, str]] = []
    try:
        deadline = time.monotonic() + READ_WITHIN_S
        quiet = False
        while not quiet and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for batch in batches.values():
                for record in batch:
                    headers = {name: value.decode() for name, value in record.headers}
                    records.append((record.key.decode(), headers["ce_id"]))
            quiet = not batches and len(records) >= expected
        on_log = 0
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            assert highwater is not None, f"no high watermark for {partition}"
            on_log += highwater
        return records, on_log
    finally:
        await consumer.stop()


def assert_each_exactly_once_in_order(sent: dict[str, list[str]], records: list[tuple[str, str]]) -> None:
    counts = Counter(event_id for _, event_id in records)
    every_sent = {event_id for ids in sent.values() for event_id in ids}
    lost = every_sent - set(counts)
    duplicated = {event_id: count for event_id, count in counts.items() if count > 1}
    strangers = set(counts) - every_sent
    assert (len(lost), len(duplicated), len(strangers)) == (0, 0, 0), (
        f"of {len(every_sent)} sent: {len(lost)} lost, {len(duplicated)} duplicated, {len(strangers)} never sent"
    )
    read: dict[str, list[str]] = defaultdict(list)
    for key, event_id in records:
        read[key].append(event_id)
    out_of_order = [key for key, ids in sent.items() if read[key] != ids]
    assert out_of_order == [], f"{len(out_of_order)} of {len(sent)} episodes read out of order"


async def assert_kept_as_production_keeps_them(
    admin: AIOKafkaAdminClient, topics: list[str], *, check_configs: bool = True
) -> None:
    """Every partition of `topics` has three replicas; each topic has min ISR 2, no unclean election."""
    for described in await described_topics(admin, topics):
        assert described["error_code"] == 0, f"{described['topic']}: error {described['error_code']}"
        replicas = {len(partition["replicas"]) for partition in described["partitions"]}
        assert replicas == {3}, f"{described['topic']}: replicas {replicas}"
    if not check_configs:
        return
    wanted = {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"}
    resources = [ConfigResource(ConfigResourceType.TOPIC, name, dict.fromkeys(wanted)) for name in topics]
    (response,) = await admin.describe_configs(resources)
    for resource in response.to_object()["resources"]:
        configs = {entry["config_names"]: entry["config_value"] for entry in resource["config_entries"]}
        assert configs == wanted, f"{resource['resource_name']}: {configs}"


async def described_topics(admin: AIOKafkaAdminClient, topics: list[str], within: float = 30.0) -> list[Any]:
    """`describe_topics`, asked again while a broker does not know a topic yet (error 3, unknown topic): on a
    cluster just formed, a new topic's metadata reaches the broker asked a moment after it is created."""
    deadline = time.monotonic() + within
    while True:
        described: list[Any] = await admin.describe_topics(topics)
        if all(topic["error_code"] != 3 for topic in described) or time.monotonic() > deadline:
            return described
        await asyncio.sleep(0.5)


async def leader_of(admin: AIOKafkaAdminClient, topic: str, partition: int) -> int:
    (described,) = await admin.describe_topics([topic])
    (found,) = [p for p in described["partitions"] if p["partition"] == partition]
    leader: int = found["leader"]
    assert leader in (1, 2, 3), f"{topic}[{partition}] has no leader"
    return leader


async def wait_until_fully_in_sync(admin: AIOKafkaAdminClient, topic: str, within: float) -> float:
    """Wait until every partition of the visit topic `topic` has a leader and all three replicas in
    sync; return how long it took."""
    began = time.monotonic()
    lagging: list[Any] = []
    while time.monotonic() - began < within:
        (described,) = await admin.describe_topics([topic])
        lagging = [p for p in described["partitions"] if p["leader"] < 0 or len(p["isr"]) < 3]
        if len(described["partitions"]) == TOPICS[Topic.VISIT].partitions and not lagging:
            return time.monotonic() - began
        await asyncio.sleep(0.5)
    raise AssertionError(f"{topic}: {len(lagging)} partitions not fully in sync after {within:.0f} s: {lagging}")
